// Server PNGs onto canvases: decoding without colour conversion (so the pixels we read back are
// the exact 8-bit values the server used), reading pixels, and tinting a mask as an overlay.

const BITMAP_OPTIONS = { colorSpaceConversion: "none", premultiplyAlpha: "none" };

function base64ToBlob(base64, type = "image/png") {
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  return new Blob([bytes], { type });
}

/** Decode a base64 PNG (as the API returns it) or a Blob into an ImageBitmap. */
export function decodeImage(source) {
  const blob = typeof source === "string" ? base64ToBlob(source) : source;
  return createImageBitmap(blob, BITMAP_OPTIONS);
}

const context = (canvas) => canvas.getContext("2d", { willReadFrequently: true });

/** Draw a bitmap at its natural size (CSS scales it) and return its pixels as ImageData. */
export function drawImage(canvas, bitmap) {
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = context(canvas);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** Paint `rgba` wherever the mask bitmap is bright, transparent elsewhere. */
export function drawMask(canvas, maskBitmap, rgba) {
  const mask = drawImage(canvas, maskBitmap);
  const data = mask.data;
  for (let i = 0; i < data.length; i += 4) {
    const on = data[i] > 127;
    data[i] = rgba[0];
    data[i + 1] = rgba[1];
    data[i + 2] = rgba[2];
    data[i + 3] = on ? rgba[3] : 0;
  }
  context(canvas).putImageData(mask, 0, 0);
}

export function clearCanvas(canvas) {
  context(canvas).clearRect(0, 0, canvas.width, canvas.height);
}

/** The channel values of pixel (row, col): [v] for a gray image, [r, g, b] for colour. */
export function pixelAt(imageData, row, col, channels) {
  const i = (row * imageData.width + col) * 4;
  return Array.from(imageData.data.slice(i, i + channels));
}

/**
 * The kh x kw window whose top-left cell is (top, left), as numbers: kh x kw for one channel,
 * kh x kw x 3 for colour. Cells outside the image are zero padding, as in the convolution.
 */
export function windowValues(imageData, channels, [top, left], [kh, kw]) {
  const rows = [];
  for (let r = top; r < top + kh; r++) {
    const row = [];
    for (let c = left; c < left + kw; c++) {
      const inside = r >= 0 && r < imageData.height && c >= 0 && c < imageData.width;
      const pixel = inside ? pixelAt(imageData, r, c, channels) : new Array(channels).fill(0);
      row.push(channels === 1 ? pixel[0] : pixel);
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Numbers onto a canvas, one pixel per cell (CSS scales it up without smoothing): `toRgb(value)`
 * gives [r, g, b]; NaN cells (gaps between tiles) stay transparent.
 */
function paintGrid(canvas, grid, toRgb) {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  canvas.width = cols;
  canvas.height = rows;
  if (!rows || !cols) return;
  const ctx = context(canvas);
  const image = ctx.createImageData(cols, rows);
  const data = image.data;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = grid[r][c];
      if (!Number.isFinite(value)) continue;
      const [red, green, blue] = toRgb(value);
      const i = (r * cols + c) * 4;
      data[i] = red;
      data[i + 1] = green;
      data[i + 2] = blue;
      data[i + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

/** A grid of numbers as a heatmap coloured by `scale` (see colormap.js). */
export function drawHeatmap(canvas, grid, scale) {
  paintGrid(canvas, grid, scale.rgb);
}

/** Values 0..1 as grey pixels, 0 black and 1 white: how an MNIST model's input looks. */
export function drawGrey(canvas, grid) {
  paintGrid(canvas, grid, (value) => {
    const level = Math.round(Math.min(1, Math.max(0, value)) * 255);
    return [level, level, level];
  });
}
