// Draws the app icons (a grain of three stacked layers on the brand green) as PNGs, without image tools.
// Run: npx tsx scripts/make-icons.ts — the outputs in public/icons/ are committed.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ]);
}

// safe = fraction of the icon the artwork may use (maskable icons keep a 40% radius safe zone).
function icon(size: number, safe: number, rounded: boolean): Buffer {
  const bg: [number, number, number, number] = [31, 111, 92, 255];
  const layers: [number, number, number][] = [
    [230, 239, 233],
    [160, 214, 190],
    [63, 182, 143],
  ];
  return png(size, (x, y) => {
    const u = (x + 0.5) / size - 0.5;
    const v = (y + 0.5) / size - 0.5;
    if (rounded) {
      const r = 0.22,
        ax = Math.max(Math.abs(u) - (0.5 - r), 0),
        ay = Math.max(Math.abs(v) - (0.5 - r), 0);
      if (ax * ax + ay * ay > r * r) return [0, 0, 0, 0];
    }
    const s = safe / 0.8;
    for (let i = 0; i < 3; i++) {
      const cy = (-0.17 + i * 0.17) * s;
      const halfW = (0.3 - i * 0.02) * s;
      const halfH = 0.065 * s;
      if (Math.abs(v - cy) < halfH && Math.abs(u) < halfW - Math.abs(v - cy) * 0.6) return [...layers[i]!, 255];
    }
    return bg;
  });
}

mkdirSync('public/icons', { recursive: true });
writeFileSync('public/icons/icon-192.png', icon(192, 0.8, true));
writeFileSync('public/icons/icon-512.png', icon(512, 0.8, true));
writeFileSync('public/icons/icon-maskable-512.png', icon(512, 0.6, false));
writeFileSync(
  'public/icons/icon.svg',
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="22" fill="#1f6f5c"/>` +
    [0, 1, 2]
      .map((i) => {
        const cy = 33 + i * 17,
          w = 30 - i * 2;
        return `<polygon points="${50 - w},${cy} ${50 - w + 4},${cy - 6.5} ${50 + w - 4},${cy - 6.5} ${50 + w},${cy} ${50 + w - 4},${cy + 6.5} ${50 - w + 4},${cy + 6.5}" fill="${['#e6efe9', '#a0d6be', '#3fb68f'][i]}"/>`;
      })
      .join('') +
    `</svg>\n`,
);
