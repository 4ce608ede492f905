// Rectangles drawn over a picture: the input window, the selected output pixel. Positions are
// percentages of the picture, so they stay put at any zoom; tiny boxes keep a minimum size.
import { SIZES } from "../config.js";

/** Place `box` over the cells [top, top+height) x [left, left+width) of a W x H picture. */
export function placeBox(box, picture, { top, left, height, width }) {
  const r0 = Math.max(0, top);
  const c0 = Math.max(0, left);
  const r1 = Math.min(picture.height, top + height);
  const c1 = Math.min(picture.width, left + width);
  if (r1 <= r0 || c1 <= c0) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  Object.assign(box.style, {
    left: `${(((c0 + c1) / 2) * 100) / picture.width}%`,
    top: `${(((r0 + r1) / 2) * 100) / picture.height}%`,
    width: `${((c1 - c0) * 100) / picture.width}%`,
    height: `${((r1 - r0) * 100) / picture.height}%`,
    minWidth: `${SIZES.markerMinPx}px`,
    minHeight: `${SIZES.markerMinPx}px`,
  });
}

export function hideBox(box) {
  box.hidden = true;
}
