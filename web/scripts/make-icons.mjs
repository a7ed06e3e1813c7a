// Draws the app icons (PNG) without image tools: a white speech bubble on the brand colour.
// `npx node web/scripts/make-icons.mjs` rewrites web/public/icons; the PNGs are committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BRAND = [0x0e, 0x6b, 0x5c];
const WHITE = [0xff, 0xff, 0xff];
const OUT = new URL('../public/icons/', import.meta.url);

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const S = 4; // supersampling per axis, for smooth edges
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const [r, g, b, a] = pixel((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          acc[0] += r * a;
          acc[1] += g * a;
          acc[2] += b * a;
          acc[3] += a;
        }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const alpha = acc[3] / (S * S);
      raw[o] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
      raw[o + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
      raw[o + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
      raw[o + 3] = Math.round(alpha * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const inRoundedSquare = (x, y, r) => {
  const dx = Math.max(r - x, x - (1 - r), 0);
  const dy = Math.max(r - y, y - (1 - r), 0);
  return dx * dx + dy * dy <= r * r;
};
// A bubble: an ellipse with a tail at the lower start side, scaled into a box (c: centre, s: scale).
const inBubble = (x, y, s) => {
  const u = (x - 0.5) / s + 0.5;
  const v = (y - 0.5) / s + 0.5;
  const inEllipse = ((u - 0.5) / 0.36) ** 2 + ((v - 0.45) / 0.28) ** 2 <= 1;
  const inTail = v >= 0.6 && v <= 0.82 && u >= 0.25 && u <= 0.45 && u - 0.25 <= (0.82 - v) * 0.9;
  return inEllipse || inTail;
};
const dots = (x, y, s) => {
  const u = (x - 0.5) / s + 0.5;
  const v = (y - 0.5) / s + 0.5;
  return [0.36, 0.5, 0.64].some((cx) => (u - cx) ** 2 + (v - 0.45) ** 2 <= 0.045 ** 2);
};

const icon = (x, y) => {
  if (!inRoundedSquare(x, y, 0.22)) return [0, 0, 0, 0];
  if (inBubble(x, y, 0.8) && !dots(x, y, 0.8)) return [...WHITE, 1];
  return [...BRAND, 1];
};
// Maskable: full bleed; the bubble stays inside the 80% safe zone.
const maskable = (x, y) => (inBubble(x, y, 0.62) && !dots(x, y, 0.62) ? [...WHITE, 1] : [...BRAND, 1]);

writeFileSync(new URL('icon-192.png', OUT), png(192, icon));
writeFileSync(new URL('icon-512.png', OUT), png(512, icon));
writeFileSync(new URL('maskable-512.png', OUT), png(512, maskable));
writeFileSync(
  new URL('favicon.svg', OUT),
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><title>Abrik</title><rect width="64" height="64" rx="14" fill="#0e6b5c"/><ellipse cx="32" cy="29" rx="18.4" ry="14.3" fill="#fff"/><path d="M22 36 L20 50 L32 40 Z" fill="#fff"/><g fill="#0e6b5c"><circle cx="24.8" cy="29" r="2.3"/><circle cx="32" cy="29" r="2.3"/><circle cx="39.2" cy="29" r="2.3"/></g></svg>\n`,
);
