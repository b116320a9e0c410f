// test/unit/main — no HTTP request can end the station (issue 9, finding 1): a real node:http server with the
// station's request handler, hit over raw sockets with request-targets, methods, headers and bodies that a hostile
// or broken client sends. Each one is answered (4xx/5xx) or refused by Node's parser, and afterwards a normal
// request is still answered.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy, makeRequestHandler, requestPath } from '../../../main/gateway/http';
import { Registry, emptyRegistryData } from '../../../main/core/registry';
import { Sessions } from '../../../main/core/sessions';
import { openStationTiles } from '../../../main/gateway/tiles';

let root: string;
let server: http.Server;
let port: number;
const crashes: unknown[] = [];
const onCrash = (e: unknown): void => void crashes.push(e);

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'http-hostile-'));
  const consoleDir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(consoleDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  fs.writeFileSync(path.join(consoleDir, 'app.js'), 'console.log(1)');
  // A local tile folder, so the tile routes read files too.
  fs.mkdirSync(path.join(root, 'tiles', '1', '1'), { recursive: true });
  fs.writeFileSync(path.join(root, 'tiles', '1', '1', '1.png'), 'png');
  const tiles = await openStationTiles({ kind: 'local', path: path.join(root, 'tiles') });
  const registry = new Registry(emptyRegistryData());
  const handler = makeRequestHandler({ consoleDir, registry: () => registry, sessions: Sessions.open(path.join(root, 'data')), now: Date.now, tiles });
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
});

afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Writes raw bytes on a fresh connection and reads until the server closes it (or 3 s pass). */
function raw(request: string | Buffer, { endAfterWrite = false } = {}): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(request);
      if (endAfterWrite) sock.end();
    });
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, 3000);
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('close', done);
    sock.on('error', done);
  });
}

const status = (response: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? NaN);
const get = (target: string, method = 'GET'): Promise<string> => raw(`${method} ${target} HTTP/1.1\r\nHost: station\r\nConnection: close\r\n\r\n`);

async function stillServes(): Promise<void> {
  const ok = await get('/');
  expect(status(ok)).toBe(200);
  expect(ok).toContain('<title>console</title>');
  expect(crashes).toEqual([]);
}

describe('requestPath', () => {
  it.each([
    ['/', '/'],
    ['/app.js?x=1', '/app.js'],
    ['//', '//'],
    ['//evil.example/x', '//evil.example/x'],
    ['http://station/index.html', '/index.html'],
    ['/%00', '/%00'],
  ])('reads %j as the path %j', (target, expected) => {
    expect(requestPath(target)).toBe(expected);
  });

  it.each(['', '*', 'http://x:99999/', 'ftp://x/', 'x', 'http://[::1/', 'javascript:alert(1)'])('refuses %j', (target) => {
    expect(requestPath(target)).toBeUndefined();
  });
});

describe('hostile HTTP requests', () => {
  it.each([
    ['GET', '/%00', 400],
    ['GET', '/app%00.js', 400],
    ['HEAD', '/app%00.js', 400],
    ['GET', '/index.html%00', 400],
    ['GET', '/%2500', 200], // a literal "%00" file name: no such file, so the console page
    ['GET', '//', 200], // the single-page console: no file is read outside the folder
    ['GET', '//evil.example/app.js', 404],
    ['GET', 'http://x:99999/', 400],
    ['GET', 'http://[::1/', 400],
    ['GET', 'ftp://station/index.html', 400],
    ['OPTIONS', '*', 400],
    ['GET', '/%E0%A4%A', 400],
    ['GET', '/..%2f..%2f..%2fetc%2fpasswd', 403],
    ['GET', '/%2e%2e/%2e%2e/etc/passwd', 200], // normalised to /etc/passwd inside the folder: the console page
    ['GET', '/tiles/%00', 400],
    ['GET', '/tiles/1/1/1%00', 400],
    ['GET', '/tiles/99/1/1', 400],
    ['GET', '/tiles/1/1/1', 200],
    ['DELETE', '/tiles/1/1/1', 405],
    ['GET', '/map-config.json%00', 400],
    ['HEAD', '/map-config.json', 200],
    ['GET', '/./socket.io/?EIO=4&transport=polling', 404],
    ['GET', '/api/login', 405],
    ['PUT', '/', 405],
  ])('%s %s is answered %i and the station keeps serving', async (method, target, expected) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await get(target, method);
    expect(status(res)).toBe(expected);
    await stillServes();
  });

  it.each([
    ['an unknown method', 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a control character in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost x\r\n\r\n'],
    ['two Content-Lengths', 'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['a 20 KiB header', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
    ['a NUL in the request line', 'GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['HTTP/9.9', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a broken chunked body', 'POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n'],
    ['chunked and Content-Length together', 'POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n'],
    ['no Host header', 'GET / HTTP/1.1\r\n\r\n'],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
  ])('%s is refused and the station keeps serving', async (_what, request) => {
    const res = await raw(request);
    // Node's parser answers 400/431 (or closes); nothing reaches a route that could throw.
    if (res) expect(status(res)).toBeGreaterThanOrEqual(400);
    await stillServes();
  });

  it.each([
    ['not JSON', 'nope', 400],
    ['JSON null', 'null', 400],
    ['a JSON array', '[1,2]', 400],
    ['a password that is an object', '{"username":"__proto__","password":{"a":1}}', 400],
    ['a username __proto__', '{"username":"__proto__","password":"x"}', 401],
    ['a username constructor', '{"username":"constructor","password":"x"}', 401],
    ['a body over the limit', JSON.stringify({ username: 'a', password: 'p'.repeat(10_000) }), 413],
    ['a 1 MiB body', JSON.stringify({ username: 'a', password: 'p'.repeat(1 << 20) }), 413],
  ])('a login with %s is answered %i', async (_what, body, expected) => {
    const res = await raw(
      `POST /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // A refused address may be told to wait (429) instead: that is an answer too.
    expect([expected, 429]).toContain(status(res));
    expect(res).toMatch(/"ok":false/);
    await stillServes();
  });

  it('a login whose body never arrives (the client hangs up mid-body) leaves nothing behind', async () => {
    const res = await raw('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"user', { endAfterWrite: true });
    expect(res === '' || status(res) >= 400).toBe(true);
    await stillServes();
  });

  it('a 4,000-character file name (ENAMETOOLONG) is answered 404', async () => {
    expect(status(await get(`/${'a'.repeat(4000)}.js`))).toBe(404);
    await stillServes();
  });

  it('a HEAD of the console gets headers and no body', async () => {
    const res = await get('/', 'HEAD');
    expect(status(res)).toBe(200);
    expect(res).not.toContain('<title>');
    await stillServes();
  });

  it('answers 500 when a route throws, and keeps serving', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // A registry that throws (as a broken file or a bug would) behind a login.
    const handler = makeRequestHandler({
      consoleDir: path.join(root, 'renderer'),
      registry: () => {
        throw new Error('registry exploded');
      },
      sessions: Sessions.open(path.join(root, 'data')),
      now: Date.now,
    });
    const s = http.createServer(handler);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'a', password: 'b' }),
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'internal' } });
      expect(errors).toHaveBeenCalled();
    } finally {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await stillServes();
  });
});

describe('Content-Security-Policy', () => {
  it('lets the console open WebSockets to its own origin only, not to any host', async () => {
    const csp = contentSecurityPolicy();
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src '));
    expect(connect).toBe("connect-src 'self'");
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.headers.get('content-security-policy')).toBe(csp);
    expect(res.headers.get('content-security-policy')).not.toMatch(/\bwss?:(\s|;|$)/);
  });
});
