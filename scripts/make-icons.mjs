#!/usr/bin/env node
// Draws the app icon (a red alarm beacon on a police-blue shield, on the console's dark ground) into
// assets/icons/256x256.png and 512x512.png with Node alone (shapes as distance functions, 4×4 supersampling, PNG by
// zlib). electron-builder takes them: the Linux icon set (the folder), the Windows .ico (made from 256x256.png).
// Run: node scripts/make-icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'assets', 'icons');

const GROUND = [15, 23, 42]; // #0f172a, the console's background
const SHIELD = [29, 78, 216]; // #1d4ed8
const RIM = [147, 197, 253]; // #93c5fd
const RED = [239, 68, 68]; // #ef4444
const WHITE = [248, 250, 252];

/** Signed distance to a rounded box centred at (cx, cy), half sizes hx, hy, corner radius r (negative inside). */
function roundBox(x, y, cx, cy, hx, hy, r) {
  const qx = Math.abs(x - cx) - hx + r;
  const qy = Math.abs(y - cy) - hy + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Inside the shield: straight sides down to y = 0.58, then an elliptical point at y = 0.88. */
function inShield(x, y, inset) {
  const top = 0.16 + inset;
  const half = 0.3 - inset;
  if (y < top || Math.abs(x - 0.5) > half) return false;
  if (y <= 0.58) return true;
  const t = (y - 0.58) / (0.3 - inset);
  return t <= 1 && Math.abs(x - 0.5) <= half * Math.sqrt(1 - t * t);
}

/** The colour of one sample point (x, y in 0..1), or null outside the icon. */
function sample(x, y) {
  if (roundBox(x, y, 0.5, 0.5, 0.46, 0.46, 0.16) > 0) return null;
  let c = GROUND;
  if (inShield(x, y, 0)) c = RIM;
  if (inShield(x, y, 0.025)) c = SHIELD;
  // The beacon: a red dome on a white base, three white rays above it.
  const cx = 0.5;
  const cy = 0.6;
  if (y <= cy && Math.hypot(x - cx, y - cy) <= 0.14) c = RED;
  if (roundBox(x, y, cx, cy + 0.035, 0.19, 0.035, 0.015) <= 0) c = WHITE;
  for (const a of [-Math.PI / 2, -Math.PI / 2 - 0.9, -Math.PI / 2 + 0.9]) {
    const dx = Math.cos(a);
    const dy = Math.sin(a);
    const along = (x - cx) * dx + (y - cy) * dy;
    const across = Math.abs(-(x - cx) * dy + (y - cy) * dx);
    if (along >= 0.18 && along <= 0.27 && across <= 0.022) c = WHITE;
  }
  return c;
}

function render(size) {
  const ss = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = sample((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          n++;
        }
      }
      const i = (py * size + px) * 4;
      if (n === 0) continue;
      // Straight (not premultiplied) alpha: the mean colour of the covered samples, alpha their share.
      rgba[i] = Math.round(r / n);
      rgba[i + 1] = Math.round(g / n);
      rgba[i + 2] = Math.round(b / n);
      rgba[i + 3] = Math.round((255 * n) / (ss * ss));
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

fs.mkdirSync(outDir, { recursive: true });
for (const size of [256, 512]) {
  const file = path.join(outDir, `${size}x${size}.png`);
  fs.writeFileSync(file, png(size, render(size)));
  console.log(`icon: ${path.relative(root, file)}`);
}
