import { createHash } from 'node:crypto';

/**
 * An image whose pixels are computed only when needed (at PNG time), so the node cache and
 * history keep a few bytes per image instead of megabytes.
 */
export interface RasterImage {
  width: number;
  height: number;
  /** Stable digest of how the image was made; equal fingerprints mean equal pixels. */
  fingerprint: string;
  /** Packed 8-bit RGB rows. */
  render(): Uint8Array;
}

export function fingerprintOf(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function solidImage(width: number, height: number, color: number): RasterImage {
  const r = (color >> 16) & 0xff;
  const g = (color >> 8) & 0xff;
  const b = color & 0xff;
  return {
    width,
    height,
    fingerprint: fingerprintOf('solid', width, height, color),
    render() {
      const pixels = new Uint8Array(width * height * 3);
      for (let i = 0; i < pixels.length; i += 3) {
        pixels[i] = r;
        pixels[i + 1] = g;
        pixels[i + 2] = b;
      }
      return pixels;
    },
  };
}

/** A cheap gradient-with-stripes picture fully determined by `seedHex` (a sha256 hex digest). */
export function patternImage(width: number, height: number, seedHex: string): RasterImage {
  const d = Buffer.from(seedHex.slice(0, 64).padEnd(64, '0'), 'hex');
  return {
    width,
    height,
    fingerprint: fingerprintOf('pattern', width, height, seedHex),
    render() {
      const pixels = new Uint8Array(width * height * 3);
      const ax = 1 + (d[6] % 7);
      const ay = 1 + (d[7] % 7);
      const denom = ax * Math.max(1, width - 1) + ay * Math.max(1, height - 1);
      const period = 8 + (d[8] % 56);
      const skew = d[9] % 4;
      let i = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const t = (ax * x + ay * y) / denom;
          const striped = Math.floor((x + skew * y) / period) % 2 === 1;
          for (let c = 0; c < 3; c++) {
            const base = d[c] + (d[3 + c] - d[c]) * t;
            pixels[i++] = striped ? (base * 3 + d[10 + c]) >> 2 : base;
          }
        }
      }
      return pixels;
    },
  };
}

export function pixelImage(width: number, height: number, rgb: Uint8Array, fingerprint: string): RasterImage {
  return { width, height, fingerprint, render: () => rgb.slice() };
}

export function invertImage(source: RasterImage): RasterImage {
  return {
    width: source.width,
    height: source.height,
    fingerprint: fingerprintOf('invert', source.fingerprint),
    render() {
      const pixels = source.render();
      for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i];
      return pixels;
    },
  };
}

/** `amount` of `overlay` over `base` (img2img: denoise 0 keeps the input, 1 replaces it). */
export function blendImages(base: RasterImage, overlay: RasterImage, amount: number): RasterImage {
  const scaledBase = base.width === overlay.width && base.height === overlay.height
    ? base
    : scaleImage(base, overlay.width, overlay.height, 'bilinear', 'disabled');
  return {
    width: overlay.width,
    height: overlay.height,
    fingerprint: fingerprintOf('blend', scaledBase.fingerprint, overlay.fingerprint, amount),
    render() {
      const a = scaledBase.render();
      const b = overlay.render();
      for (let i = 0; i < a.length; i++) a[i] = Math.round(a[i] * (1 - amount) + b[i] * amount);
      return a;
    },
  };
}

interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** ComfyUI's `common_upscale` centre crop: trim the source to the target aspect ratio first. */
function centerCrop(sourceWidth: number, sourceHeight: number, width: number, height: number): CropBox {
  const oldAspect = sourceWidth / sourceHeight;
  const newAspect = width / height;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) x = Math.round((sourceWidth - sourceWidth * (newAspect / oldAspect)) / 2);
  else if (oldAspect < newAspect) y = Math.round((sourceHeight - sourceHeight * (oldAspect / newAspect)) / 2);
  return { x, y, width: sourceWidth - 2 * x, height: sourceHeight - 2 * y };
}

export function scaleImage(
  source: RasterImage,
  width: number,
  height: number,
  method: string,
  crop: string,
): RasterImage {
  return {
    width,
    height,
    fingerprint: fingerprintOf('scale', source.fingerprint, width, height, method, crop),
    render() {
      const src = source.render();
      const box =
        crop === 'center'
          ? centerCrop(source.width, source.height, width, height)
          : { x: 0, y: 0, width: source.width, height: source.height };
      const out = new Uint8Array(width * height * 3);
      const sx = box.width / width;
      const sy = box.height / height;
      const sample = (px: number, py: number, c: number) => src[(py * source.width + px) * 3 + c];
      let i = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (method === 'nearest-exact') {
            const px = box.x + Math.min(box.width - 1, Math.floor((x + 0.5) * sx));
            const py = box.y + Math.min(box.height - 1, Math.floor((y + 0.5) * sy));
            for (let c = 0; c < 3; c++) out[i++] = sample(px, py, c);
            continue;
          }
          const fx = Math.min(box.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
          const fy = Math.min(box.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const x1 = Math.min(box.width - 1, x0 + 1);
          const y1 = Math.min(box.height - 1, y0 + 1);
          const tx = fx - x0;
          const ty = fy - y0;
          for (let c = 0; c < 3; c++) {
            const top = sample(box.x + x0, box.y + y0, c) * (1 - tx) + sample(box.x + x1, box.y + y0, c) * tx;
            const bottom = sample(box.x + x0, box.y + y1, c) * (1 - tx) + sample(box.x + x1, box.y + y1, c) * tx;
            out[i++] = Math.round(top * (1 - ty) + bottom * ty);
          }
        }
      }
      return out;
    },
  };
}
