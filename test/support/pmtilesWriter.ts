// test/ — a small PMTiles v3 writer written from the specification
// (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md), independent of the `pmtiles` library the station
// reads archives with: tile ids on the Hilbert curve, varint directories (delta ids, run lengths, lengths, offsets
// with 0 = "right after the previous"), optional leaf directories, gzip via node:zlib. Used by the tests and by
// scripts/make-demo-tiles.mjs (which bundles it with esbuild).
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

export interface WriterTile {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

export interface WriterOptions {
  /** 2 png (default), 3 jpeg, 4 webp, 5 avif, 1 mvt. */
  tileType?: number;
  /** Directory and metadata compression: 'gzip' (default, code 2) or 'none' (code 1). */
  internalCompression?: 'gzip' | 'none';
  /** Put at most this many entries in each leaf directory (forces leaves even for a small archive). */
  leafSize?: number;
  metadata?: Record<string, unknown>;
  /** [minLon, minLat, maxLon, maxLat]; defaults to the whole world. */
  bounds?: [number, number, number, number];
  /** Header minZoom/maxZoom; default: the tiles' range. */
  minZoom?: number;
  maxZoom?: number;
}

interface Entry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

/** Hilbert-curve tile id: tiles of all lower zooms first, then the position on this zoom's curve (spec §"Tile IDs"). */
export function zxyToTileId(z: number, x: number, y: number): number {
  let acc = 0;
  for (let i = 0; i < z; i++) acc += 4 ** i;
  const n = 2 ** z;
  let d = 0;
  let [tx, ty] = [x, y];
  for (let s = n / 2; s >= 1; s /= 2) {
    const rx = (tx & s) > 0 ? 1 : 0;
    const ry = (ty & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    // Rotate the quadrant (Wikipedia's xy2d).
    if (ry === 0) {
      if (rx === 1) {
        tx = n - 1 - tx;
        ty = n - 1 - ty;
      }
      [tx, ty] = [ty, tx];
    }
  }
  return acc + d;
}

function varint(out: number[], v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`varint: ${v}`);
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function serializeDirectory(entries: Entry[]): Buffer {
  const out: number[] = [];
  varint(out, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(out, e.tileId - last);
    last = e.tileId;
  }
  for (const e of entries) varint(out, e.runLength);
  for (const e of entries) varint(out, e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    varint(out, i > 0 && prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  });
  return Buffer.from(out);
}

function u64(buf: Buffer, at: number, v: number): void {
  buf.writeBigUInt64LE(BigInt(v), at);
}

/** An archive (whole, in memory: tests and demo sets are small). Identical tiles are stored once; runs are merged. */
export function writePmtiles(tiles: WriterTile[], opts: WriterOptions = {}): Buffer {
  const compress = (b: Buffer): Buffer => (opts.internalCompression === 'none' ? b : zlib.gzipSync(b));
  const sorted = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), t })).sort((a, b) => a.id - b.id);
  const entries: Entry[] = [];
  const chunks: Buffer[] = [];
  const byHash = new Map<string, { offset: number; length: number }>();
  let dataLength = 0;
  for (const { id, t } of sorted) {
    const hash = createHash('sha256').update(t.data).digest('hex');
    let place = byHash.get(hash);
    if (!place) {
      place = { offset: dataLength, length: t.data.length };
      byHash.set(hash, place);
      chunks.push(Buffer.from(t.data));
      dataLength += t.data.length;
    }
    const last = entries[entries.length - 1];
    if (last && last.offset === place.offset && last.tileId + last.runLength === id) last.runLength++;
    else entries.push({ tileId: id, offset: place.offset, length: place.length, runLength: 1 });
  }

  let root: Buffer;
  let leaves = Buffer.alloc(0);
  if (opts.leafSize) {
    const rootEntries: Entry[] = [];
    const leafBufs: Buffer[] = [];
    let leafOffset = 0;
    for (let i = 0; i < entries.length; i += opts.leafSize) {
      const part = entries.slice(i, i + opts.leafSize);
      const buf = compress(serializeDirectory(part));
      rootEntries.push({ tileId: part[0]!.tileId, offset: leafOffset, length: buf.length, runLength: 0 });
      leafBufs.push(buf);
      leafOffset += buf.length;
    }
    root = compress(serializeDirectory(rootEntries));
    leaves = Buffer.concat(leafBufs);
  } else root = compress(serializeDirectory(entries));
  if (127 + root.length > 16384) throw new Error('root directory does not fit in the first 16 KiB: use leafSize');

  const meta = compress(Buffer.from(JSON.stringify(opts.metadata ?? {}), 'utf8'));
  const zooms = tiles.map((t) => t.z);
  const minZoom = opts.minZoom ?? Math.min(...zooms);
  const maxZoom = opts.maxZoom ?? Math.max(...zooms);
  const [minLon, minLat, maxLon, maxLat] = opts.bounds ?? [-180, -85, 180, 85];

  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'ascii');
  h.writeUInt8(3, 7);
  const rootOffset = 127;
  const metaOffset = rootOffset + root.length;
  const leafOffset = metaOffset + meta.length;
  const dataOffset = leafOffset + leaves.length;
  u64(h, 8, rootOffset);
  u64(h, 16, root.length);
  u64(h, 24, metaOffset);
  u64(h, 32, meta.length);
  u64(h, 40, leafOffset);
  u64(h, 48, leaves.length);
  u64(h, 56, dataOffset);
  u64(h, 64, dataLength);
  u64(h, 72, sorted.length); // addressed tiles
  u64(h, 80, entries.length); // tile entries
  u64(h, 88, byHash.size); // tile contents
  h.writeUInt8(1, 96); // clustered: data in tile-id order
  h.writeUInt8(opts.internalCompression === 'none' ? 1 : 2, 97);
  h.writeUInt8(1, 98); // tile compression: none (raster images are compressed already)
  h.writeUInt8(opts.tileType ?? 2, 99);
  h.writeUInt8(minZoom, 100);
  h.writeUInt8(maxZoom, 101);
  h.writeInt32LE(Math.round(minLon * 1e7), 102);
  h.writeInt32LE(Math.round(minLat * 1e7), 106);
  h.writeInt32LE(Math.round(maxLon * 1e7), 110);
  h.writeInt32LE(Math.round(maxLat * 1e7), 114);
  h.writeUInt8(minZoom, 118);
  h.writeInt32LE(Math.round(((minLon + maxLon) / 2) * 1e7), 119);
  h.writeInt32LE(Math.round(((minLat + maxLat) / 2) * 1e7), 123);
  return Buffer.concat([h, root, meta, leaves, ...chunks]);
}
