#!/usr/bin/env node
// Demo map tiles for trying the station's tile support without a real basemap (not run by the build):
//   node scripts/make-demo-tiles.mjs [OUT_DIR] [--min-zoom 8] [--max-zoom 13]
// writes OUT_DIR/tiles/{z}/{x}/{y}.png and OUT_DIR/longhua-demo.pmtiles over 隆化县 (lat 41.0–41.9, lng 117.0–118.3):
// plain PNG tiles (a colour per zoom, a checkerboard, the tile border and "z/x/y" in a tiny bitmap font), encoded with
// node:zlib. OUT_DIR defaults to station-data-demo/demo-tiles (git-ignored). Then, e.g.:
//   npm start -- --web --demo --tiles station-data-demo/demo-tiles/longhua-demo.pmtiles
// The .pmtiles is written by the tests' spec-following writer (test/support/pmtilesWriter.ts, bundled here by esbuild).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BBOX = { south: 41.0, north: 41.9, west: 117.0, east: 118.3 };
const SIZE = 256;

function parseArgs(argv) {
  const opts = { out: path.join('station-data-demo', 'demo-tiles'), minZoom: 8, maxZoom: 13 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--min-zoom' || a === '--max-zoom') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0 || v > 18) throw new Error(`${a} needs a zoom level 0–18`);
      opts[a === '--min-zoom' ? 'minZoom' : 'maxZoom'] = v;
    } else if (!a.startsWith('--')) opts.out = a;
    else throw new Error(`unknown option ${a} (usage: make-demo-tiles.mjs [OUT_DIR] [--min-zoom N] [--max-zoom N])`);
  }
  if (opts.minZoom > opts.maxZoom) throw new Error('--min-zoom is above --max-zoom');
  return opts;
}

const lngToX = (lng, z) => Math.floor(((lng + 180) / 360) * 2 ** z);
const latToY = (lat, z) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

// --- PNG (8-bit RGB, no interlace) ---------------------------------------------------------------------------------
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

function encodePng(rgb) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type RGB
  const raw = Buffer.alloc(SIZE * (SIZE * 3 + 1));
  for (let y = 0; y < SIZE; y++) rgb.copy(raw, y * (SIZE * 3 + 1) + 1, y * SIZE * 3, (y + 1) * SIZE * 3); // filter 0 per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- drawing -----------------------------------------------------------------------------------------------------
const FONT = {
  0: ['111', '101', '101', '101', '111'],
  1: ['010', '110', '010', '010', '111'],
  2: ['111', '001', '111', '100', '111'],
  3: ['111', '001', '111', '001', '111'],
  4: ['101', '101', '111', '001', '001'],
  5: ['111', '100', '111', '001', '111'],
  6: ['111', '100', '111', '101', '111'],
  7: ['111', '001', '001', '001', '001'],
  8: ['111', '101', '111', '101', '111'],
  9: ['111', '101', '111', '001', '111'],
  '/': ['001', '001', '010', '100', '100'],
};
// Dark, muted colours that sit well under the console's outline; one per zoom level.
const PALETTE = [
  [30, 41, 59],
  [23, 37, 84],
  [20, 56, 70],
  [38, 50, 56],
  [45, 38, 72],
  [28, 60, 48],
];

function drawTile(z, x, y) {
  const rgb = Buffer.alloc(SIZE * SIZE * 3);
  const base = PALETTE[z % PALETTE.length];
  const set = (px, py, c) => {
    if (px < 0 || py < 0 || px >= SIZE || py >= SIZE) return;
    const i = (py * SIZE + px) * 3;
    rgb[i] = c[0];
    rgb[i + 1] = c[1];
    rgb[i + 2] = c[2];
  };
  const shade = (x + y) % 2 === 0 ? 0 : 10;
  const fill = base.map((v) => v + shade);
  const line = base.map((v) => Math.min(255, v + 45));
  const grid = base.map((v) => v + shade + 8);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      const border = px === 0 || py === 0 || px === SIZE - 1 || py === SIZE - 1;
      set(px, py, border ? line : px % 32 === 0 || py % 32 === 0 ? grid : fill);
    }
  }
  const text = `${z}/${x}/${y}`;
  const scale = 3;
  const ink = [203, 213, 225];
  let cx = 8;
  for (const ch of text) {
    const glyph = FONT[ch];
    for (let gy = 0; gy < 5; gy++)
      for (let gx = 0; gx < 3; gx++)
        if (glyph[gy][gx] === '1') for (let sy = 0; sy < scale; sy++) for (let sx = 0; sx < scale; sx++) set(cx + gx * scale + sx, 8 + gy * scale + sy, ink);
    cx += 4 * scale;
  }
  return encodePng(rgb);
}

/** The tests' PMTiles writer (TypeScript), bundled in memory and imported from a data: URL. */
async function loadWriter() {
  const result = await build({
    entryPoints: [path.join(root, 'test', 'support', 'pmtilesWriter.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
}

const opts = parseArgs(process.argv.slice(2));
const out = path.resolve(opts.out);
const tileDir = path.join(out, 'tiles');
fs.rmSync(tileDir, { recursive: true, force: true });
const tiles = [];
for (let z = opts.minZoom; z <= opts.maxZoom; z++) {
  for (let x = lngToX(BBOX.west, z); x <= lngToX(BBOX.east, z); x++) {
    for (let y = latToY(BBOX.north, z); y <= latToY(BBOX.south, z); y++) {
      const data = drawTile(z, x, y);
      fs.mkdirSync(path.join(tileDir, String(z), String(x)), { recursive: true });
      fs.writeFileSync(path.join(tileDir, String(z), String(x), `${y}.png`), data);
      tiles.push({ z, x, y, data });
    }
  }
}
const { writePmtiles } = await loadWriter();
const archive = path.join(out, 'longhua-demo.pmtiles');
fs.writeFileSync(
  archive,
  writePmtiles(tiles, {
    leafSize: 4096,
    bounds: [BBOX.west, BBOX.south, BBOX.east, BBOX.north],
    metadata: { name: 'longhua-demo', attribution: '演示瓦片 demo tiles (generated)', format: 'png' },
  }),
);
console.log(`demo tiles: ${tiles.length} tiles, zoom ${opts.minZoom}–${opts.maxZoom}`);
console.log(`  folder:  ${tileDir}`);
console.log(`  archive: ${archive} (${(fs.statSync(archive).size / 1024).toFixed(0)} KiB)`);
const shown = path.relative(process.cwd(), archive);
console.log(`try: npm start -- --web --demo --tiles ${shown.startsWith('..') ? archive : shown}`);
