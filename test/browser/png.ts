import { inflateSync } from 'node:zlib';

/** A decoded 8-bit RGB or RGBA PNG: width, height, and 4 bytes a pixel (RGBA). */
export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * Decodes the PNG screenshots Chromium writes (8-bit RGB or RGBA, not interlaced), enough to tell a
 * rendered page from a blank one without an image library.
 */
export function decodePng(file: Buffer): Pixels {
  if (file.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const current = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (current[i - channels] ?? 0) : 0;
      const b = previous[i] ?? 0;
      const c = i >= channels ? (previous[i - channels] ?? 0) : 0;
      const x = line[i] ?? 0;
      let value: number;
      switch (filter) {
        case 0: value = x; break;
        case 1: value = x + a; break;
        case 2: value = x + b; break;
        case 3: value = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          value = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`bad PNG filter ${filter}`);
      }
      current[i] = value & 0xff;
    }
    for (let px = 0; px < width; px++) {
      const o = (y * width + px) * 4;
      out[o] = current[px * channels] ?? 0;
      out[o + 1] = current[px * channels + 1] ?? 0;
      out[o + 2] = current[px * channels + 2] ?? 0;
      out[o + 3] = channels === 4 ? (current[px * channels + 3] ?? 255) : 255;
    }
    previous = current;
  }
  return { width, height, rgba: out };
}

/** Share of pixels that are not (near) white, and how many distinct colours the image has. */
export function inkAndColours(pixels: Pixels): { ink: number; colours: number } {
  let inked = 0;
  const colours = new Set<number>();
  for (let i = 0; i < pixels.rgba.length; i += 4) {
    const [r, g, b] = [pixels.rgba[i] ?? 0, pixels.rgba[i + 1] ?? 0, pixels.rgba[i + 2] ?? 0];
    if (r < 240 || g < 240 || b < 240) inked++;
    if (colours.size < 10_000) colours.add((r << 16) | (g << 8) | b);
  }
  return { ink: inked / (pixels.width * pixels.height), colours: colours.size };
}
