// main/ (core, Node) — map tiles under the county outlines. Police networks have no internet, so tiles come from
// either a tile server on the network (an XYZ template the consoles load directly) or a local source the station
// serves itself at /tiles/{z}/{x}/{y}: a folder laid out z/x/y.png|jpg|jpeg|webp, or a PMTiles v3 archive of raster
// tiles (read with file handles through the `pmtiles` library, never loaded whole). MBTiles is SQLite, which Node 20
// does not have without a native module: it is refused with a hint to convert it (`pmtiles convert`).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Compression, PMTiles, TileType, type Source } from 'pmtiles';

// ---------------------------------------------------------------------------------------------------------------
// Configuration (called by loadConfig in main/config.ts, which passes its ConfigError as `fail`)

/**
 * `xyz`: the consoles load tiles straight from `url`; `origins` are the exact origins the Content-Security-Policy
 * lets images come from (a, b and c when the host has Leaflet's `{s}`, Leaflet's default subdomains).
 * `local`: a z/x/y folder or a .pmtiles archive, served by the station at /tiles/{z}/{x}/{y}.
 */
export type TileConfig =
  | { kind: 'xyz'; url: string; origins: string[]; attribution?: string; maxZoom?: number }
  | { kind: 'local'; path: string; attribution?: string; maxZoom?: number };

/** The highest zoom level a tile address may have (PMTiles tile ids stay exact in a double up to 26). */
export const MAX_TILE_ZOOM = 26;
/** Default highest zoom for a remote XYZ source (its real range is not known to the station). */
export const DEFAULT_XYZ_MAX_ZOOM = 18;
/** The command-line options that take a value, for loadConfig's parser. */
export const TILE_FLAGS: readonly string[] = ['--tile-url', '--tiles', '--tile-attribution', '--tile-max-zoom'];

type Fail = (message: string) => Error;

const TILE_PLACEHOLDERS = new Set(['{s}', '{z}', '{x}', '{y}', '{-y}', '{r}']);

/** An XYZ template: http(s) only, {z} {x} and {y} (or TMS {-y}), nothing Leaflet cannot fill in, no credentials. */
export function parseTileUrl(v: string, what: string, fail: Fail): TileConfig & { kind: 'xyz' } {
  const bad = (why: string): Error => fail(`${what} ${why}, got "${v}" (expected e.g. http://gis.local/tiles/{z}/{x}/{y}.png)`);
  if (/\s/.test(v)) throw bad('must not contain spaces');
  for (const p of v.match(/\{[^}]*\}/g) ?? [])
    if (!TILE_PLACEHOLDERS.has(p)) throw bad(`has an unknown placeholder ${p} (known: ${[...TILE_PLACEHOLDERS].join(' ')})`);
  if (!v.includes('{z}') || !v.includes('{x}') || !(v.includes('{y}') || v.includes('{-y}'))) throw bad('must contain {z}, {x} and {y}');
  const origins = new Set<string>();
  for (const s of v.includes('{s}') ? ['a', 'b', 'c'] : ['']) {
    let u: URL;
    try {
      u = new URL(v.replaceAll('{s}', s).replace(/\{-?[a-z]\}/g, '0'));
    } catch {
      throw bad('is not a URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('must be http:// or https://');
    if (u.username || u.password) throw bad('must not contain a user name or password');
    // The origin goes into the Content-Security-Policy: host names and IP addresses only, nothing that ends a directive.
    if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(u.hostname)) throw bad('has an invalid host name');
    origins.add(u.origin);
  }
  return { kind: 'xyz', url: v, origins: [...origins] };
}

/** A z/x/y folder or a .pmtiles file that exists now; the archive itself is checked when the station opens it. */
export function parseTilePath(v: string, what: string, fail: Fail): TileConfig & { kind: 'local' } {
  const p = path.resolve(v);
  if (/\.mbtiles$/i.test(p)) {
    const pm = path.basename(p).replace(/\.mbtiles$/i, '.pmtiles');
    throw fail(
      `${what}: MBTiles is not supported (it needs SQLite); convert it with \`pmtiles convert ${path.basename(p)} ${pm}\` or export a z/x/y folder, got "${v}"`,
    );
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw fail(`${what}: no such file or folder "${v}"`);
  }
  if (!st.isDirectory() && !(st.isFile() && /\.pmtiles$/i.test(p))) throw fail(`${what} must be a z/x/y tile folder or a .pmtiles file, got "${v}"`);
  return { kind: 'local', path: p };
}

function parseTileZoom(v: string, what: string, fail: Fail): number {
  const n = /^\d{1,2}$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n > MAX_TILE_ZOOM) throw fail(`${what} must be a zoom level 0–${MAX_TILE_ZOOM}, got "${v}"`);
  return n;
}

/**
 * --tile-url URL | STATION_TILE_URL, --tiles FILE_OR_DIR | STATION_TILES, --tile-attribution TEXT |
 * STATION_TILE_ATTRIBUTION, --tile-max-zoom N | STATION_TILE_MAX_ZOOM. A source given by flag replaces one given in
 * the environment (of either kind); both kinds at the same level is an error.
 */
export function loadTileConfig(values: Record<string, string>, env: NodeJS.ProcessEnv, fail: Fail): TileConfig | undefined {
  const fromFlags = values['--tile-url'] !== undefined || values['--tiles'] !== undefined;
  const [url, file, urlName, fileName] = fromFlags
    ? [values['--tile-url'], values['--tiles'], '--tile-url', '--tiles']
    : [env.STATION_TILE_URL || undefined, env.STATION_TILES || undefined, 'STATION_TILE_URL', 'STATION_TILES'];
  if (url !== undefined && file !== undefined) throw fail(`set ${urlName} or ${fileName}, not both`);
  if (url === undefined && file === undefined) {
    if (values['--tile-attribution'] !== undefined || values['--tile-max-zoom'] !== undefined)
      throw fail('--tile-attribution and --tile-max-zoom only apply with --tile-url or --tiles');
    return undefined;
  }
  const attribution = values['--tile-attribution'] ?? (env.STATION_TILE_ATTRIBUTION || undefined);
  if (attribution !== undefined && attribution.length > 500) throw fail('the tile attribution must be at most 500 characters');
  const zoom = values['--tile-max-zoom'] ?? (env.STATION_TILE_MAX_ZOOM || undefined);
  const maxZoom =
    zoom === undefined ? undefined : parseTileZoom(zoom, values['--tile-max-zoom'] !== undefined ? '--tile-max-zoom' : 'STATION_TILE_MAX_ZOOM', fail);
  const source = url !== undefined ? parseTileUrl(url, urlName, fail) : parseTilePath(file!, fileName, fail);
  return { ...source, ...(attribution !== undefined ? { attribution } : {}), ...(maxZoom !== undefined ? { maxZoom } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Tile sources

export interface Tile {
  data: Buffer;
  /** The Content-Type, e.g. image/png. */
  type: string;
}

export interface TileSource {
  readonly kind: 'directory' | 'pmtiles';
  readonly minZoom: number;
  readonly maxZoom: number;
  /** From the archive's metadata, when it has one. */
  readonly attribution?: string;
  /** undefined when the source has no such tile; throws TileCoordError for an address that cannot exist. */
  getTile(z: number, x: number, y: number): Promise<Tile | undefined>;
  close(): Promise<void>;
}

/** A tile address outside the world: z 0–26, x and y 0…2^z−1, whole numbers. */
export class TileCoordError extends RangeError {}

/** An archive or folder the station cannot serve tiles from. */
export class TileSourceError extends Error {}

export function checkTileCoords(z: number, x: number, y: number): void {
  const ok = Number.isInteger(z) && z >= 0 && z <= MAX_TILE_ZOOM && Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < 2 ** z && y < 2 ** z;
  if (!ok) throw new TileCoordError(`no tile ${z}/${x}/${y}: z must be 0–${MAX_TILE_ZOOM}, x and y 0–2^z−1`);
}

/** A single tile larger than this is a mistake (a raster tile is tens of kilobytes). */
const MAX_TILE_BYTES = 8 * 1024 * 1024;

const EXT_TYPES: [string, string][] = [
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['webp', 'image/webp'],
];

async function openDirectory(root: string): Promise<TileSource> {
  const levels = (await fs.promises.readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && /^\d{1,2}$/.test(d.name) && Number(d.name) <= MAX_TILE_ZOOM)
    .map((d) => Number(d.name));
  if (levels.length === 0) throw new TileSourceError(`${root}: no zoom-level folders (0/, 1/, …) laid out z/x/y.png|jpg|webp`);
  let closed = false;
  return {
    kind: 'directory',
    minZoom: Math.min(...levels),
    maxZoom: Math.max(...levels),
    async getTile(z, x, y) {
      checkTileCoords(z, x, y);
      if (closed) throw new Error('tile source is closed');
      // The path is made of whole numbers only: nothing in it can leave the folder.
      for (const [ext, type] of EXT_TYPES) {
        let fh: fs.promises.FileHandle;
        try {
          fh = await fs.promises.open(path.join(root, String(z), String(x), `${y}.${ext}`), 'r');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
          throw e;
        }
        try {
          const st = await fh.stat();
          if (!st.isFile()) continue;
          if (st.size > MAX_TILE_BYTES) throw new Error(`tile ${z}/${x}/${y}.${ext} is ${st.size} bytes; more than ${MAX_TILE_BYTES} is not a tile`);
          return { data: await fh.readFile(), type };
        } finally {
          await fh.close();
        }
      }
      return undefined;
    },
    async close() {
      closed = true;
    },
  };
}

/** The pmtiles library's view of a file: positional reads on one open handle. */
class FileHandleSource implements Source {
  constructor(
    private readonly fh: fs.promises.FileHandle,
    private readonly key: string,
    private readonly size: number,
  ) {}

  getKey(): string {
    return this.key;
  }

  async getBytes(offset: number, length: number): Promise<{ data: ArrayBuffer }> {
    // The library asks for the first 16 KiB whatever the file's size: a short read at the end is normal.
    const want = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { data: got === want ? buf.buffer : buf.buffer.slice(0, got) };
  }
}

const gunzip = promisify(zlib.gunzip);
const brotli = promisify(zlib.brotliDecompress);

/** node:zlib instead of the library's default (DecompressionStream, or fflate in JS). */
async function decompress(buf: ArrayBuffer, compression: Compression): Promise<ArrayBuffer> {
  if (compression === Compression.None || compression === Compression.Unknown) return buf;
  const out =
    compression === Compression.Gzip ? await gunzip(new Uint8Array(buf)) : compression === Compression.Brotli ? await brotli(new Uint8Array(buf)) : undefined;
  if (!out) throw new Error(`PMTiles compression ${Compression[compression] ?? compression} is not supported`);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
}

const PMTILES_TYPES: Partial<Record<TileType, string>> = {
  [TileType.Png]: 'image/png',
  [TileType.Jpeg]: 'image/jpeg',
  [TileType.Webp]: 'image/webp',
  [TileType.Avif]: 'image/avif',
};
const SUPPORTED_COMPRESSION = new Set([Compression.Unknown, Compression.None, Compression.Gzip, Compression.Brotli]);

async function openPmtiles(file: string): Promise<TileSource> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const archive = new PMTiles(new FileHandleSource(fh, file, size), undefined, decompress);
    let header;
    try {
      header = await archive.getHeader();
    } catch (e) {
      throw new TileSourceError(`${file}: not a PMTiles v3 archive (${e instanceof Error ? e.message : String(e)})`);
    }
    if (header.specVersion !== 3)
      throw new TileSourceError(`${file}: PMTiles version ${header.specVersion}; only version 3 is read (convert it with \`pmtiles convert\`)`);
    const type = PMTILES_TYPES[header.tileType];
    if (!type)
      throw new TileSourceError(`${file}: holds ${TileType[header.tileType] ?? 'unknown'} tiles; the console shows raster tiles only (png, jpeg, webp, avif)`);
    for (const c of [header.internalCompression, header.tileCompression]) {
      if (!SUPPORTED_COMPRESSION.has(c)) throw new TileSourceError(`${file}: ${Compression[c] ?? c} compression is not supported (gzip and brotli are)`);
    }
    if (header.minZoom > header.maxZoom || header.maxZoom > MAX_TILE_ZOOM)
      throw new TileSourceError(`${file}: zoom range ${header.minZoom}–${header.maxZoom} is not usable`);
    let attribution: string | undefined;
    if (header.jsonMetadataLength > 0) {
      try {
        const meta = (await archive.getMetadata()) as { attribution?: unknown } | null;
        if (typeof meta?.attribution === 'string' && meta.attribution.length <= 500) attribution = meta.attribution;
      } catch {
        // Metadata is optional; tiles are what matter.
      }
    }
    let closed = false;
    return {
      kind: 'pmtiles',
      minZoom: header.minZoom,
      maxZoom: header.maxZoom,
      ...(attribution !== undefined ? { attribution } : {}),
      async getTile(z, x, y) {
        checkTileCoords(z, x, y);
        if (closed) throw new Error('tile source is closed');
        const r = await archive.getZxy(z, x, y);
        if (!r || r.data.byteLength === 0) return undefined;
        if (r.data.byteLength > MAX_TILE_BYTES) throw new Error(`tile ${z}/${x}/${y} is ${r.data.byteLength} bytes; more than ${MAX_TILE_BYTES} is not a tile`);
        return { data: Buffer.from(r.data), type };
      },
      async close() {
        if (closed) return;
        closed = true;
        await fh.close();
      },
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Opens a z/x/y folder or a .pmtiles archive. Throws TileSourceError when it holds nothing the console can show. */
export async function openTileSource(pathOrDir: string): Promise<TileSource> {
  const p = path.resolve(pathOrDir);
  const st = await fs.promises.stat(p).catch(() => undefined);
  if (!st) throw new TileSourceError(`${p}: no such file or folder`);
  if (st.isDirectory()) return openDirectory(p);
  if (/\.mbtiles$/i.test(p)) throw new TileSourceError(`${p}: MBTiles is not supported (it needs SQLite); convert it with \`pmtiles convert\``);
  return openPmtiles(p);
}

// ---------------------------------------------------------------------------------------------------------------
// What the station serves: /map-config.json and /tiles/{z}/{x}/{y}

/** GET /map-config.json → { tiles: MapTiles | null }; `url` is relative to the console for a local source. */
export interface MapTiles {
  url: string;
  attribution: string;
  minZoom: number;
  maxZoom: number;
}

export interface StationTiles {
  config?: TileConfig;
  /** Set for a local source. */
  source?: TileSource;
  map: MapTiles | null;
  close(): Promise<void>;
}

export const LOCAL_TILE_URL = 'tiles/{z}/{x}/{y}';

/** Opens the configured local source (if any) and works out what the consoles are told. */
export async function openStationTiles(config: TileConfig | undefined, fail: Fail = (m) => new TileSourceError(m)): Promise<StationTiles> {
  if (!config) return { map: null, close: async () => undefined };
  if (config.kind === 'xyz') {
    const map = { url: config.url, attribution: config.attribution ?? '', minZoom: 0, maxZoom: config.maxZoom ?? DEFAULT_XYZ_MAX_ZOOM };
    return { config, map, close: async () => undefined };
  }
  let source: TileSource;
  try {
    source = await openTileSource(config.path);
  } catch (e) {
    throw e instanceof TileSourceError ? fail(e.message) : e;
  }
  const maxZoom = config.maxZoom ?? source.maxZoom;
  if (maxZoom < source.minZoom) {
    await source.close();
    throw fail(`the tile max zoom (--tile-max-zoom, STATION_TILE_MAX_ZOOM) ${maxZoom} is below the lowest zoom level of ${config.path} (${source.minZoom})`);
  }
  const map = { url: LOCAL_TILE_URL, attribution: config.attribution ?? source.attribution ?? '', minZoom: source.minZoom, maxZoom };
  return { config, source, map, close: () => source.close() };
}

/** The paths handleTilesRequest answers. */
export function isTilesPath(pathname: string): boolean {
  return pathname === '/map-config.json' || pathname === '/tiles' || pathname.startsWith('/tiles/');
}

/** `/tiles/z/x/y` with an optional image extension, as whole numbers inside the world; undefined otherwise. */
export function parseTilePathname(pathname: string): { z: number; x: number; y: number } | undefined {
  const m = /^\/tiles\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})(?:\.(?:png|jpe?g|webp|avif))?$/.exec(pathname);
  if (!m) return undefined;
  const [z, x, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  try {
    checkTileCoords(z, x, y);
  } catch {
    return undefined;
  }
  return { z, x, y };
}

/** Tiles change only when the station is reconfigured; a day in the browser's cache, then a cheap 304. */
const TILE_CACHE = 'public, max-age=86400';

function reply(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>): void {
  // The client may have gone while a tile was read: nothing to answer, and nothing to throw.
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/**
 * Answers /map-config.json and /tiles/… (see isTilesPath). The caller has set the Content-Security-Policy header.
 * The returned promise (a tile read) rejects only if answering itself failed: main/gateway/http.ts's error boundary takes it.
 */
export function handleTilesRequest(
  pathname: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  tiles: StationTiles | undefined,
): void | Promise<void> {
  const text = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed', { ...text, Allow: 'GET, HEAD' });
  if (pathname === '/map-config.json') return reply(res, 200, JSON.stringify({ tiles: tiles?.map ?? null }), { 'Content-Type': 'application/json' });
  const at = parseTilePathname(pathname);
  if (!at) return reply(res, 400, `bad tile address: expected /tiles/{z}/{x}/{y} with z 0–${MAX_TILE_ZOOM}, x and y 0–2^z−1`, text);
  const source = tiles?.source;
  if (!source) return reply(res, 404, 'this station serves no local tiles', text);
  return source.getTile(at.z, at.x, at.y).then(
    (tile) => {
      if (!tile) return reply(res, 404, 'no such tile', { ...text, 'Cache-Control': 'public, max-age=3600' });
      const etag = `"${createHash('sha256').update(tile.data).digest('base64url').slice(0, 27)}"`;
      const headers = { 'Content-Type': tile.type, 'Cache-Control': TILE_CACHE, ETag: etag };
      if (req.headers['if-none-match'] === etag) return reply(res, 304, '', headers);
      reply(res, 200, tile.data, headers);
    },
    (e: unknown) => {
      if (e instanceof TileCoordError) return reply(res, 400, e.message, text);
      console.error(`tiles: ${pathname}:`, e);
      reply(res, 500, 'tile source failed', text);
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Changing the source while the station runs (the admin screen's map source, docs/settings.md)

/**
 * The station's tiles in force: replaced whole when an admin changes the map source. Requests read `current` each
 * time (the CSP follows it, main/gateway/http.ts); an old local source is closed a little later, so a tile being read
 * from it still finishes.
 */
export class LiveTiles {
  constructor(private tiles: StationTiles) {}

  get current(): StationTiles {
    return this.tiles;
  }

  /** Opens the new source first: one that cannot be opened throws, and the old one stays. */
  async replace(config: TileConfig | undefined): Promise<void> {
    const next = await openStationTiles(config);
    const old = this.tiles;
    this.tiles = next;
    setTimeout(() => void old.close().catch((e: unknown) => console.error('tiles: closing the previous source failed:', e)), 10_000).unref();
  }

  close(): Promise<void> {
    return this.tiles.close();
  }
}

/** Where the tried tile is: 隆化县 (the sample county) at zoom 10, or the source's nearest zoom. */
const TRY_AT = { lat: 41.45, lng: 117.6, zoom: 10 };
const TRY_TIMEOUT_MS = 5000;

function tileAt(lat: number, lng: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lng + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x, y };
}

/** The exact reason a fetch failed (Node's fetch says only "fetch failed"; its cause says ECONNREFUSED …). */
function fetchError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (e instanceof Error && e.name === 'TimeoutError') return `no answer within ${TRY_TIMEOUT_MS / 1000} s`;
  return cause?.message ?? (e instanceof Error ? e.message : String(e));
}

/**
 * Tries a source before it is saved: for a tile server, one tile over the county is fetched (5 s at most; only the
 * head is read); for a folder or an archive, it is opened and one tile read. `{ ok, message }`, never a throw.
 */
export async function tryTileSource(config: TileConfig | undefined, fetchFn: typeof fetch = fetch): Promise<{ ok: boolean; message: string; tile?: string }> {
  if (!config) return { ok: true, message: 'county outline only: nothing to try' };
  if (config.kind === 'xyz') {
    const at = tileAt(TRY_AT.lat, TRY_AT.lng, Math.min(TRY_AT.zoom, config.maxZoom ?? DEFAULT_XYZ_MAX_ZOOM));
    const url = config.url
      .replaceAll('{s}', 'a')
      .replaceAll('{z}', String(at.z))
      .replaceAll('{x}', String(at.x))
      .replaceAll('{-y}', String(2 ** at.z - 1 - at.y))
      .replaceAll('{y}', String(at.y))
      .replaceAll('{r}', '');
    try {
      const res = await fetchFn(url, { signal: AbortSignal.timeout(TRY_TIMEOUT_MS), redirect: 'error' });
      const type = res.headers.get('content-type') ?? '';
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) return { ok: false, message: `${url}: HTTP ${res.status} ${res.statusText}`.trim(), tile: url };
      if (!type.startsWith('image/')) return { ok: false, message: `${url}: answered ${type || 'no Content-Type'}, not an image`, tile: url };
      return { ok: true, message: `${url}: HTTP ${res.status}, ${type}`, tile: url };
    } catch (e) {
      return { ok: false, message: `${url}: ${fetchError(e)}`, tile: url };
    }
  }
  let opened: StationTiles;
  try {
    opened = await openStationTiles(config);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  try {
    const source = opened.source!;
    const z = Math.max(source.minZoom, Math.min(TRY_AT.zoom, opened.map?.maxZoom ?? source.maxZoom));
    const at = tileAt(TRY_AT.lat, TRY_AT.lng, z);
    const tile = await source.getTile(at.z, at.x, at.y);
    const name = `${config.path} (${source.kind === 'pmtiles' ? 'PMTiles' : 'z/x/y folder'}, zoom ${source.minZoom}–${source.maxZoom})`;
    return tile
      ? { ok: true, message: `${name}: tile ${at.z}/${at.x}/${at.y}, ${tile.type}, ${tile.data.length} bytes`, tile: `${at.z}/${at.x}/${at.y}` }
      : { ok: true, message: `${name}: opened; it has no tile at ${at.z}/${at.x}/${at.y} (it may cover another area)` };
  } catch (e) {
    return { ok: false, message: `${config.path}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await opened.close().catch(() => undefined);
  }
}
