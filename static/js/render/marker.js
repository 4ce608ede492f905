// Rectangles drawn over a picture: the input window, the selected output pixel. Positions are
// percentages of the picture, so they stay put at any zoom; tiny boxes keep a minimum size.
// Unclipped, a box may hang over the picture's edge (into a zero-padding ring drawn around it).
import { SIZES } from "../config.js";

/**
 * Place `box` over the cells [top, top+height) x [left, left+width) of a W x H picture; with
 * {clip: false} the part outside the picture is kept.
 */
export function placeBox(box, picture, { top, left, height, width }, { clip = true } = {}) {
  const r0 = clip ? Math.max(0, top) : top;
  const c0 = clip ? Math.max(0, left) : left;
  const r1 = clip ? Math.min(picture.height, top + height) : top + height;
  const c1 = clip ? Math.min(picture.width, left + width) : left + width;
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
