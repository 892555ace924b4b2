/**
 * A minimal deterministic PNG encoder (8-bit RGB, no interlace) for heat maps: one pixel per
 * (time bin, dimension), scaled up by the browser. Far smaller than one SVG rect per cell.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** `rgb` holds width × height × 3 bytes, row-major from the top. Returns a data: URI. */
export function pngDataUri(width: number, height: number, rgb: Uint8Array): string {
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", new Uint8Array(0))]);
  return `data:image/png;base64,${png.toString("base64")}`;
}

/** Diverging blue–white–red colour of v in [−1, 1] (non-finite: grey). */
export function diverging(v: number): [number, number, number] {
  if (!Number.isFinite(v)) return [200, 200, 200];
  const a = Math.max(-1, Math.min(1, v));
  const mix = (from: number, to: number, s: number) => Math.round(from + (to - from) * s);
  return a < 0 ? [mix(255, 33, -a), mix(255, 102, -a), mix(255, 172, -a)] : [mix(255, 178, a), mix(255, 24, a), mix(255, 43, a)];
}
