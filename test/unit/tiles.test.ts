// test/unit — map tiles: the tile configuration (flags and STATION_TILE_* variables), the local tile sources (a z/x/y
// folder, and PMTiles v3 archives written here by an independent spec-following writer and read by the station
// through the `pmtiles` library), and what the station serves: /tiles/{z}/{x}/{y}, /map-config.json and the CSP.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../main/config';
import { startCore } from '../../main/server';
import { contentSecurityPolicy, makeRequestHandler } from '../../main/gateway/http';
import type { Registry } from '../../main/core/registry';
import type { Sessions } from '../../main/core/sessions';
import {
  LOCAL_TILE_URL,
  openStationTiles,
  openTileSource,
  TileCoordError,
  TileSourceError,
  type StationTiles,
  type TileConfig,
} from '../../main/gateway/tiles';
import { writePmtiles, zxyToTileId, type WriterTile } from '../support/pmtilesWriter';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Distinct bytes per tile (the station never decodes images), starting like a PNG. */
const tileBytes = (z: number, x: number, y: number, extra = 0): Buffer => Buffer.concat([PNG_MAGIC, Buffer.from(`tile ${z}/${x}/${y} ${'#'.repeat(extra)}`)]);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tiles-test-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function tmpPath(name: string): string {
  return path.join(fs.mkdtempSync(path.join(tmp, 'case-')), name);
}

// ---------------------------------------------------------------------------------------------------------------

describe('tile configuration', () => {
  const load = (argv: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof loadConfig> => loadConfig(argv, env, DIST);
  const fails = (argv: string[], env: NodeJS.ProcessEnv, message: RegExp): void => {
    let err: unknown;
    try {
      load(argv, env);
    } catch (e) {
      err = e;
    }
    expect(err, `${argv.join(' ')} ${JSON.stringify(env)}`).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  };

  it('takes the stale limit for unit positions from STATION_UNIT_STALE_MS (2 minutes by default)', () => {
    expect(load([]).unitStaleMs).toBe(120_000);
    expect(load([], { STATION_UNIT_STALE_MS: '30000' }).unitStaleMs).toBe(30_000);
    for (const bad of ['abc', '999', '1.5', '3600001', '-5']) fails([], { STATION_UNIT_STALE_MS: bad }, /STATION_UNIT_STALE_MS must be/);
  });
  let dir: string;
  let archive: string;
  beforeAll(() => {
    dir = tmpPath('tiles');
    fs.mkdirSync(path.join(dir, '0', '0'), { recursive: true });
    archive = tmpPath('area.pmtiles');
    fs.writeFileSync(archive, writePmtiles([{ z: 0, x: 0, y: 0, data: tileBytes(0, 0, 0) }]));
  });

  it('has no tiles unless asked', () => {
    expect(load([]).tiles).toBeUndefined();
  });

  it('takes an XYZ template from the flag or the environment, with the origin the CSP will allow', () => {
    expect(load(['--tile-url', 'http://gis.police.local:8080/wmts/{z}/{x}/{y}.png']).tiles).toEqual({
      kind: 'xyz',
      url: 'http://gis.police.local:8080/wmts/{z}/{x}/{y}.png',
      origins: ['http://gis.police.local:8080'],
    });
    expect(
      load([], { STATION_TILE_URL: 'https://10.1.2.3/t/{z}/{x}/{-y}.jpg', STATION_TILE_ATTRIBUTION: '© 公安地理信息平台', STATION_TILE_MAX_ZOOM: '16' }).tiles,
    ).toEqual({
      kind: 'xyz',
      url: 'https://10.1.2.3/t/{z}/{x}/{-y}.jpg',
      origins: ['https://10.1.2.3'],
      attribution: '© 公安地理信息平台',
      maxZoom: 16,
    });
  });

  it('turns {s} in the host into the three origins Leaflet uses by default (a, b, c)', () => {
    const t = load(['--tile-url', 'http://{s}.tiles.lan/{z}/{x}/{y}{r}.png']).tiles;
    expect(t?.kind === 'xyz' && t.origins).toEqual(['http://a.tiles.lan', 'http://b.tiles.lan', 'http://c.tiles.lan']);
  });

  it('takes a local folder or .pmtiles archive, resolved to an absolute path', () => {
    expect(load(['--tiles', dir]).tiles).toEqual({ kind: 'local', path: dir });
    expect(load([], { STATION_TILES: archive }).tiles).toEqual({ kind: 'local', path: archive });
    expect(load(['--tiles', archive, '--tile-max-zoom', '3', '--tile-attribution', 'demo']).tiles).toEqual({
      kind: 'local',
      path: archive,
      maxZoom: 3,
      attribution: 'demo',
    });
  });

  it('lets a flag win over the environment, whichever kind each names', () => {
    expect(load(['--tiles', dir], { STATION_TILE_URL: 'http://gis.lan/{z}/{x}/{y}.png' }).tiles).toEqual({ kind: 'local', path: dir });
    expect(load(['--tile-url', 'http://gis.lan/{z}/{x}/{y}.png'], { STATION_TILES: dir }).tiles?.kind).toBe('xyz');
    expect(load(['--tile-max-zoom', '12', '--tiles', dir], { STATION_TILE_MAX_ZOOM: '5' }).tiles?.maxZoom).toBe(12);
  });

  it('refuses bad XYZ templates, each with its reason', () => {
    fails(['--tile-url', 'ftp://gis.lan/{z}/{x}/{y}.png'], {}, /--tile-url must be http:\/\/ or https:\/\//);
    fails(['--tile-url', 'file:///tiles/{z}/{x}/{y}.png'], {}, /must be http:\/\/ or https:\/\//);
    fails(['--tile-url', 'http://gis.lan/{z}/{x}.png'], {}, /must contain \{z\}, \{x\} and \{y\}/);
    fails(['--tile-url', 'http://gis.lan/tiles.png'], {}, /must contain \{z\}, \{x\} and \{y\}/);
    fails(['--tile-url', 'http://gis.lan/{z}/{x}/{y}.png?key={apikey}'], {}, /unknown placeholder \{apikey\}/);
    fails(['--tile-url', 'http://user:secret@gis.lan/{z}/{x}/{y}.png'], {}, /must not contain a user name or password/);
    fails(['--tile-url', 'http://gis.lan;img-src*/{z}/{x}/{y}.png'], {}, /invalid host name/);
    fails(['--tile-url', 'http://gis lan/{z}/{x}/{y}.png'], {}, /must not contain spaces/);
    fails(['--tile-url', '{z}/{x}/{y}.png'], {}, /--tile-url is not a URL/);
    fails([], { STATION_TILE_URL: 'gopher://x/{z}/{x}/{y}' }, /^STATION_TILE_URL must be http/);
  });

  it('refuses local sources it cannot serve', () => {
    fails(['--tiles', path.join(tmp, 'nowhere')], {}, /--tiles: no such file or folder/);
    fails([], { STATION_TILES: path.join(tmp, 'nowhere.pmtiles') }, /^STATION_TILES: no such file or folder/);
    fails(['--tiles', path.join(tmp, 'county.mbtiles')], {}, /MBTiles is not supported.*pmtiles convert county\.mbtiles county\.pmtiles/);
    const other = tmpPath('tiles.zip');
    fs.writeFileSync(other, 'x');
    fails(['--tiles', other], {}, /must be a z\/x\/y tile folder or a \.pmtiles file/);
  });

  it('refuses two sources, a bad zoom, options without a source and flags without a value', () => {
    fails(['--tiles', dir, '--tile-url', 'http://gis.lan/{z}/{x}/{y}.png'], {}, /set --tile-url or --tiles, not both/);
    fails([], { STATION_TILES: dir, STATION_TILE_URL: 'http://gis.lan/{z}/{x}/{y}.png' }, /set STATION_TILE_URL or STATION_TILES, not both/);
    fails(['--tiles', dir, '--tile-max-zoom', '27'], {}, /--tile-max-zoom must be a zoom level 0–26, got "27"/);
    fails(['--tiles', dir, '--tile-max-zoom', 'high'], {}, /--tile-max-zoom must be a zoom level/);
    fails(['--tiles', dir], { STATION_TILE_MAX_ZOOM: '-1' }, /^STATION_TILE_MAX_ZOOM must be a zoom level/);
    fails(['--tiles', dir, '--tile-attribution', 'x'.repeat(501)], {}, /at most 500 characters/);
    fails(['--tile-max-zoom', '12'], {}, /only apply with --tile-url or --tiles/);
    fails(['--tile-attribution', 'x'], {}, /only apply with --tile-url or --tiles/);
    fails(['--tiles'], {}, /--tiles needs a value/);
    fails(['--tile-url'], {}, /--tile-url needs a value/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the PMTiles test writer', () => {
  it('numbers tiles on the Hilbert curve as the specification does', () => {
    // Values from the specification's reference implementations (go-pmtiles, pmtiles JS tests).
    expect(zxyToTileId(0, 0, 0)).toBe(0);
    expect(zxyToTileId(1, 0, 0)).toBe(1);
    expect(zxyToTileId(1, 0, 1)).toBe(2);
    expect(zxyToTileId(1, 1, 1)).toBe(3);
    expect(zxyToTileId(1, 1, 0)).toBe(4);
    expect(zxyToTileId(2, 0, 0)).toBe(5);
    expect(zxyToTileId(12, 3423, 1763)).toBe(19078479);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('a z/x/y folder as a tile source', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpPath('tiles');
    const put = (rel: string, data: Buffer | string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), data);
    };
    put('8/211/95.png', tileBytes(8, 211, 95));
    put('8/212/95.jpg', 'jpeg bytes');
    put('9/423/190.webp', 'webp bytes');
    put('10/846/381.jpeg', 'jpeg bytes 2');
    put('10/846/382.gif', 'not a tile type');
    put('README.txt', 'not a zoom level');
    fs.mkdirSync(path.join(dir, 'metadata'));
  });

  it('finds its zoom range and serves each tile with its type', async () => {
    const src = await openTileSource(dir);
    try {
      expect(src).toMatchObject({ kind: 'directory', minZoom: 8, maxZoom: 10 });
      expect(await src.getTile(8, 211, 95)).toEqual({ data: tileBytes(8, 211, 95), type: 'image/png' });
      expect(await src.getTile(8, 212, 95)).toEqual({ data: Buffer.from('jpeg bytes'), type: 'image/jpeg' });
      expect(await src.getTile(9, 423, 190)).toEqual({ data: Buffer.from('webp bytes'), type: 'image/webp' });
      expect((await src.getTile(10, 846, 381))?.type).toBe('image/jpeg');
    } finally {
      await src.close();
    }
  });

  it('has no tile where there is no file (or only one of another type)', async () => {
    const src = await openTileSource(dir);
    expect(await src.getTile(8, 0, 0)).toBeUndefined();
    expect(await src.getTile(12, 0, 0)).toBeUndefined();
    expect(await src.getTile(10, 846, 382)).toBeUndefined();
    await src.close();
  });

  it('refuses addresses outside the world', async () => {
    const src = await openTileSource(dir);
    await expect(src.getTile(8, 256, 0)).rejects.toBeInstanceOf(TileCoordError);
    await expect(src.getTile(-1, 0, 0)).rejects.toBeInstanceOf(TileCoordError);
    await expect(src.getTile(27, 0, 0)).rejects.toBeInstanceOf(TileCoordError);
    await expect(src.getTile(8, 1.5, 0)).rejects.toBeInstanceOf(TileCoordError);
    await src.close();
  });

  it('refuses a folder without zoom levels, and a missing path', async () => {
    const empty = tmpPath('empty');
    fs.mkdirSync(empty);
    await expect(openTileSource(empty)).rejects.toThrow(/no zoom-level folders/);
    await expect(openTileSource(path.join(tmp, 'absent'))).rejects.toBeInstanceOf(TileSourceError);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Every tile of zooms lo..hi inside a small area near 隆化县, each with its own bytes, plus repeats of one "sea" tile. */
function areaTiles(lo: number, hi: number): WriterTile[] {
  const out: WriterTile[] = [];
  const sea = Buffer.concat([PNG_MAGIC, Buffer.from('empty sea')]);
  for (let z = lo; z <= hi; z++) {
    const n = 2 ** z;
    const [x0, x1] = [Math.floor(n * 0.825), Math.floor(n * 0.829)];
    const [y0, y1] = [Math.floor(n * 0.37), Math.floor(n * 0.373)];
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) out.push({ z, x, y, data: (x + y) % 5 === 0 ? sea : tileBytes(z, x, y, (x * 7 + y) % 40) });
  }
  return out;
}

describe('a PMTiles v3 archive as a tile source', () => {
  const variants: [string, Parameters<typeof writePmtiles>[1]][] = [
    ['gzip directories, root only', {}],
    ['uncompressed directories', { internalCompression: 'none' }],
    ['leaf directories', { leafSize: 7 }],
  ];
  for (const [name, opts] of variants) {
    it(`reads every tile back (${name}), and has none elsewhere`, async () => {
      const tiles = areaTiles(6, 11);
      const file = tmpPath('area.pmtiles');
      fs.writeFileSync(file, writePmtiles(tiles, opts));
      const src = await openTileSource(file);
      try {
        expect(src).toMatchObject({ kind: 'pmtiles', minZoom: 6, maxZoom: 11 });
        for (const t of tiles) expect(await src.getTile(t.z, t.x, t.y), `${t.z}/${t.x}/${t.y}`).toEqual({ data: Buffer.from(t.data), type: 'image/png' });
        expect(await src.getTile(11, 0, 0)).toBeUndefined();
        expect(await src.getTile(5, 26, 11)).toBeUndefined(); // below the archive's zooms
        expect(await src.getTile(14, 13520, 6062)).toBeUndefined(); // above
        await expect(src.getTile(3, 8, 0)).rejects.toBeInstanceOf(TileCoordError);
      } finally {
        await src.close();
      }
    });
  }

  it('has a tile type from the header and the attribution from the metadata', async () => {
    const file = tmpPath('webp.pmtiles');
    fs.writeFileSync(
      file,
      writePmtiles([{ z: 2, x: 3, y: 1, data: Buffer.from('RIFF....WEBP') }], { tileType: 4, metadata: { name: 'demo', attribution: '© 测试' } }),
    );
    const src = await openTileSource(file);
    expect(src.attribution).toBe('© 测试');
    expect(await src.getTile(2, 3, 1)).toEqual({ data: Buffer.from('RIFF....WEBP'), type: 'image/webp' });
    await src.close();
  });

  it('refuses vector tiles, files that are not PMTiles, and MBTiles', async () => {
    const mvt = tmpPath('vector.pmtiles');
    fs.writeFileSync(mvt, writePmtiles([{ z: 0, x: 0, y: 0, data: Buffer.from('mvt') }], { tileType: 1 }));
    await expect(openTileSource(mvt)).rejects.toThrow(/Mvt tiles; the console shows raster tiles only/);
    const junk = tmpPath('junk.pmtiles');
    fs.writeFileSync(junk, 'this is not an archive at all');
    await expect(openTileSource(junk)).rejects.toThrow(/not a PMTiles v3 archive/);
    const v2 = tmpPath('old.pmtiles');
    const old = writePmtiles([{ z: 0, x: 0, y: 0, data: tileBytes(0, 0, 0) }]);
    old.writeUInt8(2, 7);
    fs.writeFileSync(v2, old);
    await expect(openTileSource(v2)).rejects.toThrow(/PMTiles version 2/);
    const mb = tmpPath('x.mbtiles');
    fs.writeFileSync(mb, 'SQLite format 3\0');
    await expect(openTileSource(mb)).rejects.toThrow(/MBTiles is not supported/);
  });

  it('reads the archive through a file handle, a few small ranges per tile, never the whole file', async () => {
    // Megabytes of tiles: reading it whole would show at once.
    const tiles = areaTiles(10, 12).map((t, i) => ({ ...t, data: Buffer.concat([Buffer.from(t.data), Buffer.alloc(8000, i % 251)]) }));
    const file = tmpPath('big.pmtiles');
    fs.writeFileSync(file, writePmtiles(tiles, { leafSize: 50 }));
    expect(fs.statSync(file).size).toBeGreaterThan(2 * 1024 * 1024);
    const open = fs.promises.open;
    let bytesRead = 0;
    let wholeReads = 0;
    fs.promises.open = (async (...a: Parameters<typeof open>) => {
      const fh = await open(...a);
      const read = fh.read.bind(fh) as (...args: unknown[]) => Promise<{ bytesRead: number }>;
      Object.assign(fh, {
        read: async (...args: unknown[]) => {
          const r = await read(...args);
          bytesRead += r.bytesRead;
          return r;
        },
        readFile: () => {
          wholeReads++;
          throw new Error('readFile on an archive');
        },
      });
      return fh;
    }) as typeof open;
    try {
      const src = await openTileSource(file);
      for (const t of [tiles[0]!, tiles[tiles.length - 1]!, tiles[Math.floor(tiles.length / 2)]!])
        expect((await src.getTile(t.z, t.x, t.y))?.data).toEqual(t.data);
      await src.close();
    } finally {
      fs.promises.open = open;
    }
    expect(wholeReads).toBe(0);
    expect(bytesRead).toBeGreaterThan(3 * 8000);
    expect(bytesRead).toBeLessThan(128 * 1024);
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface Served {
  base: string;
  close(): Promise<void>;
}

async function serve(tiles: StationTiles | undefined): Promise<Served> {
  const consoleDir = tmpPath('console');
  fs.mkdirSync(consoleDir);
  fs.writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  // Something outside the console folder a traversal would try to reach.
  fs.writeFileSync(path.join(path.dirname(consoleDir), 'secret.txt'), 'SECRET');
  const handler = makeRequestHandler({ consoleDir, registry: () => ({}) as Registry, sessions: {} as Sessions, now: Date.now, ...(tiles ? { tiles } : {}) });
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request: the path is sent exactly as given (fetch would normalise ../ and %2e). */
function get(base: string, rawPath: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const directives = (csp: string | string[] | undefined): Map<string, string> =>
  new Map(
    String(csp)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...v]) => [name!, v.join(' ')]),
  );

describe('HTTP: /tiles and /map-config.json from a local archive', () => {
  let served: Served;
  let tiles: StationTiles;
  const data = areaTiles(8, 10);
  beforeAll(async () => {
    const file = tmpPath('area.pmtiles');
    fs.writeFileSync(file, writePmtiles(data, { metadata: { attribution: '© 示例瓦片' } }));
    tiles = await openStationTiles({ kind: 'local', path: file });
    served = await serve(tiles);
  });
  afterAll(async () => {
    await served.close();
    await tiles.close();
  });

  it('serves a tile with its type, a cache header and an ETag, with or without an extension', async () => {
    const t = data[3]!;
    for (const p of [`/tiles/${t.z}/${t.x}/${t.y}`, `/tiles/${t.z}/${t.x}/${t.y}.png`, `/tiles/${t.z}/${t.x}/${t.y}.png?v=2`]) {
      const r = await get(served.base, p);
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type']).toBe('image/png');
      expect(r.headers['cache-control']).toBe('public, max-age=86400');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.body).toEqual(Buffer.from(t.data));
      const again = await get(served.base, p, { headers: { 'If-None-Match': String(r.headers.etag) } });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
    const head = await get(served.base, `/tiles/${t.z}/${t.x}/${t.y}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('answers 404 for a tile the archive does not have', async () => {
    for (const p of ['/tiles/8/0/0', '/tiles/3/1/1.png', '/tiles/20/0/0']) expect((await get(served.base, p)).status, p).toBe(404);
  });

  it('answers 400 for addresses outside the world and anything that is not z/x/y', async () => {
    const bad = [
      '/tiles/8/256/0', // x ≥ 2^z
      '/tiles/3/0/8',
      '/tiles/27/0/0', // beyond zoom 26
      '/tiles/-1/0/0',
      '/tiles/a/b/c',
      '/tiles/8/1.5/0',
      '/tiles/8/1/2/3',
      '/tiles/8/1',
      '/tiles/',
      '/tiles',
      '/tiles/8/1/2.gif',
      '/tiles/8/1/2.png.exe',
      '/tiles/0/0/..%2F..%2Fsecret.txt',
      '/tiles/0/0/%2e%2e%2fsecret.txt',
      '/tiles/..%2F..%2F/0/0',
      '/tiles/0/0/0%00.png',
      '/tiles/0/0/%2e%2e',
      '/tiles/0/%2e%2e/0', // normalised to /tiles/0 by the URL parser: still not z/x/y
    ];
    for (const p of bad) {
      const r = await get(served.base, p);
      expect(r.status, p).toBe(400);
      expect(r.body.toString()).not.toContain('SECRET');
    }
  });

  it('never lets ../ in a tile path reach a file outside the console', async () => {
    for (const p of ['/tiles/../../secret.txt', '/tiles/0/0/../../../../secret.txt', '/tiles/%2e%2e/%2e%2e/%2e%2e/secret.txt']) {
      const r = await get(served.base, p);
      expect(r.body.toString(), p).not.toContain('SECRET');
    }
  });

  it('answers only GET and HEAD', async () => {
    expect((await get(served.base, '/tiles/8/211/95', { method: 'POST' })).status).toBe(405);
    expect((await get(served.base, '/map-config.json', { method: 'DELETE' })).status).toBe(405);
  });

  it('tells the console where the tiles are: relative to the console, with the archive zooms and attribution', async () => {
    const r = await get(served.base, '/map-config.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(r.body.toString())).toEqual({ tiles: { url: LOCAL_TILE_URL, attribution: '© 示例瓦片', minZoom: 8, maxZoom: 10 } });
    expect(LOCAL_TILE_URL).toBe('tiles/{z}/{x}/{y}');
  });

  it('keeps the CSP as it was: local tiles come from the station itself', async () => {
    const r = await get(served.base, '/map-config.json');
    expect(r.headers['content-security-policy']).toBe(contentSecurityPolicy());
    expect(directives(r.headers['content-security-policy']).get('img-src')).toBe("'self' data: blob:");
  });
});

describe('HTTP: a z/x/y folder', () => {
  it('serves its tiles with the type of the file', async () => {
    const dir = tmpPath('tiles');
    fs.mkdirSync(path.join(dir, '5', '26'), { recursive: true });
    fs.writeFileSync(path.join(dir, '5', '26', '11.jpg'), 'jpeg bytes');
    const tiles = await openStationTiles({ kind: 'local', path: dir, maxZoom: 7, attribution: '本地' });
    const served = await serve(tiles);
    try {
      const r = await get(served.base, '/tiles/5/26/11.png');
      expect([r.status, r.headers['content-type'], r.body.toString()]).toEqual([200, 'image/jpeg', 'jpeg bytes']);
      expect((await get(served.base, '/tiles/5/26/12')).status).toBe(404);
      expect(JSON.parse((await get(served.base, '/map-config.json')).body.toString())).toEqual({
        tiles: { url: 'tiles/{z}/{x}/{y}', attribution: '本地', minZoom: 5, maxZoom: 7 },
      });
    } finally {
      await served.close();
      await tiles.close();
    }
  });

  it('refuses a max zoom below the lowest level it has', async () => {
    const dir = tmpPath('tiles');
    fs.mkdirSync(path.join(dir, '9'), { recursive: true });
    await expect(openStationTiles({ kind: 'local', path: dir, maxZoom: 7 })).rejects.toThrow(/max zoom .* 7 is below the lowest zoom level .* \(9\)/);
  });
});

describe('HTTP: without local tiles', () => {
  it('says there are no tiles and answers /tiles with 404; the CSP is unchanged', async () => {
    const served = await serve(undefined);
    try {
      const r = await get(served.base, '/map-config.json');
      expect(JSON.parse(r.body.toString())).toEqual({ tiles: null });
      expect(directives(r.headers['content-security-policy']).get('img-src')).toBe("'self' data: blob:");
      expect((await get(served.base, '/tiles/0/0/0')).status).toBe(404);
      expect((await get(served.base, '/tiles/0/0/9')).status).toBe(400);
      // The rest of the station is as before: the console and its CSP.
      const index = await get(served.base, '/');
      expect(index.status).toBe(200);
      expect(index.headers['content-security-policy']).toBe(contentSecurityPolicy());
    } finally {
      await served.close();
    }
  });
});

describe('HTTP: a remote XYZ tile server', () => {
  const config: TileConfig = {
    kind: 'xyz',
    url: 'https://gis.police.lan:8443/tiles/{z}/{x}/{y}.png',
    origins: ['https://gis.police.lan:8443'],
    attribution: '公安 GIS',
  };
  it('passes the template to the console and allows exactly that origin for images', async () => {
    const tiles = await openStationTiles(config);
    const served = await serve(tiles);
    try {
      const r = await get(served.base, '/map-config.json');
      expect(JSON.parse(r.body.toString())).toEqual({ tiles: { url: config.url, attribution: '公安 GIS', minZoom: 0, maxZoom: 18 } });
      const csp = directives(r.headers['content-security-policy']);
      expect(csp.get('img-src')).toBe("'self' data: blob: https://gis.police.lan:8443");
      // Nothing else changes.
      const before = directives(contentSecurityPolicy());
      for (const [name, value] of before) if (name !== 'img-src') expect(csp.get(name), name).toBe(value);
      expect([...csp.keys()]).toEqual([...before.keys()]);
      expect((await get(served.base, '/')).headers['content-security-policy']).toBe(r.headers['content-security-policy']);
      // The station serves no tiles itself.
      expect((await get(served.base, '/tiles/0/0/0')).status).toBe(404);
    } finally {
      await served.close();
      await tiles.close();
    }
  });

  it('lists the a/b/c origins of an {s} template in img-src', () => {
    const t = loadConfig(['--tile-url', 'http://{s}.tile.lan/{z}/{x}/{y}.png', '--tile-max-zoom', '15'], {}, DIST).tiles;
    expect(directives(contentSecurityPolicy(t)).get('img-src')).toBe("'self' data: blob: http://a.tile.lan http://b.tile.lan http://c.tile.lan");
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the station core with tiles configured', () => {
  it('opens the archive at start, serves it on the station port and closes it on close', async () => {
    const dataDir = tmpPath('data');
    const file = tmpPath('area.pmtiles');
    const data = areaTiles(7, 8);
    fs.writeFileSync(file, writePmtiles(data));
    const config = loadConfig(['--port', '0', '--data-dir', dataDir, '--tiles', file, '--tile-attribution', '演示'], { STATION_HOST: '127.0.0.1' }, DIST);
    const core = await startCore(config);
    try {
      const base = core.url.replace(/\/$/, '');
      const t = data[0]!;
      const r = await get(base, `/tiles/${t.z}/${t.x}/${t.y}`);
      expect([r.status, r.headers['content-type']]).toEqual([200, 'image/png']);
      expect(JSON.parse((await get(base, '/map-config.json')).body.toString()).tiles).toMatchObject({
        url: 'tiles/{z}/{x}/{y}',
        attribution: '演示',
        minZoom: 7,
        maxZoom: 8,
      });
    } finally {
      await core.close();
    }
  });

  it('refuses to start with an archive it cannot read, as a configuration error', async () => {
    const file = tmpPath('broken.pmtiles');
    fs.writeFileSync(file, 'PMTiles but not really');
    const config = loadConfig(['--port', '0', '--data-dir', tmpPath('data'), '--tiles', file], {}, DIST);
    await expect(startCore(config)).rejects.toBeInstanceOf(ConfigError);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('scripts/make-demo-tiles.mjs', () => {
  it('writes a z/x/y folder and a .pmtiles of the same tiles over 隆化县', async () => {
    const out = tmpPath('demo');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'make-demo-tiles.mjs'), out, '--min-zoom', '8', '--max-zoom', '10'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const dir = await openTileSource(path.join(out, 'tiles'));
    const pm = await openTileSource(path.join(out, 'longhua-demo.pmtiles'));
    try {
      expect([dir.minZoom, dir.maxZoom, pm.minZoom, pm.maxZoom]).toEqual([8, 10, 8, 10]);
      // 隆化县 (41.3° N, 117.7° E) at zoom 10.
      const n = 2 ** 10;
      const x = Math.floor(((117.7 + 180) / 360) * n);
      const lat = (41.3 * Math.PI) / 180;
      const y = Math.floor(((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * n);
      const a = await dir.getTile(10, x, y);
      expect(a?.type).toBe('image/png');
      expect(a?.data.subarray(0, 8)).toEqual(PNG_MAGIC);
      expect(await pm.getTile(10, x, y)).toEqual(a);
      expect(await dir.getTile(10, 0, 0)).toBeUndefined();
    } finally {
      await dir.close();
      await pm.close();
    }
  });
});
