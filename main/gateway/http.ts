// main/ (core, Node) — HTTP for the web console: the built console files, and operator login.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { LoginRequest, LoginResponse } from '../../shared/consoleApi';
import { MAX_PASSWORD_LENGTH, passwordProblem } from '../../shared/adminWire';
import type { OperatorRef } from '../../shared/events';
import { refusal } from '../../shared/protocol';
import { RegistryError, type Registry } from '../core/registry';
import { hashSecret } from '../core/secrets';
import { LoginThrottle } from './logins';
import { HasherBusy, PasswordHasher } from '../core/passwords';
import type { Sessions } from '../core/sessions';
import { handleTilesRequest, isTilesPath, type StationTiles, type TileConfig } from './tiles';

/**
 * Whether `url` is on exactly the station's origin (scheme, host and port), compared parsed: a string prefix
 * would let `http://127.0.0.1:8700@evil.example/` or `http://127.0.0.1:87001/` through. Anything unparsable is not.
 */
export function isSameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/** One policy for the browser and the Electron window: nothing but this station, and the configured tile server's images. */
export const contentSecurityPolicy = (tiles?: TileConfig): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    ["img-src 'self' data: blob:", ...(tiles?.kind === 'xyz' ? tiles.origins : [])].join(' '),
    "media-src 'self' data: blob:",
    // 'self' covers same-origin ws:// and wss:// (CSP Level 3, Chromium): the console's socket.io link and nothing else.
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wav': 'audio/wav',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'application/json'): void {
  // A late answer (the client went away, or a route already answered) must never throw out of a callback.
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/**
 * The path of a request-target, decoded from nothing (percent-escapes stay): origin-form (`/a/b?q`) or absolute-form
 * (`http://host/a`, which HTTP/1.1 servers must accept). Anything else (`*`, `//`, a port out of range, a bad
 * host) is undefined, answered 400. `new URL(target, base)` would read `//x/y` as host x, path /y, and throws on
 * `//` or `http://x:99999/`, which once took the whole station down.
 */
export function requestPath(target: string | undefined): string | undefined {
  if (typeof target !== 'string' || target.length === 0) return undefined;
  try {
    if (target.startsWith('/')) return new URL(`http://station${target}`).pathname;
    const u = new URL(target);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.pathname : undefined;
  } catch {
    return undefined;
  }
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let done = false;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        // Not destroyed here: the client is answered 413 and the connection closed after the answer.
        chunks.length = 0;
        reject(new BodyTooLarge(`body over ${limit} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => {
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      done = true;
      reject(e);
    });
    // A client that goes away mid-body: 'end' never comes; without this the promise would wait for ever.
    req.on('close', () => {
      if (!done) reject(new Error('request closed before its body ended'));
    });
  });
}

export interface HttpDeps {
  consoleDir: string;
  registry: () => Registry;
  sessions: Sessions;
  now: () => number;
  /**
   * Map tiles: /map-config.json, /tiles/{z}/{x}/{y} and the tile origin in the CSP. A function is asked on every
   * request: the admin may change the map source while the station runs (main/gateway/tiles.ts LiveTiles).
   */
  tiles?: StationTiles | (() => StationTiles | undefined);
  /** Password checks on their own worker thread (one is made when not given; the core passes its own and closes it). */
  passwords?: PasswordHasher;
  /** The login throttle (per address and per account); a default one when not given. */
  logins?: LoginThrottle;
  /** An operator set their own password at the forced change of the login (journalled by the core). */
  passwordChanged?: (operator: OperatorRef) => void;
  /**
   * What /api/health adds for a monitoring system (no secrets, no paths: it is unauthenticated): the daily backup's
   * last success and failure times, and in cluster mode that this core leads.
   */
  health?: () => Record<string, unknown>;
}

const json = (v: LoginResponse | { ok: true }): string => JSON.stringify(v);
const RATE_LIMITED = (retryMs?: number): string =>
  json({
    ok: false,
    error: {
      code: 'rate_limited',
      message: `登录尝试过多，请稍后再试 / too many login attempts, wait a moment${retryMs ? ` (${Math.ceil(retryMs / 1000)} s)` : ''}`,
    },
  });

export function makeRequestHandler(deps: HttpDeps): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const passwords = deps.passwords ?? new PasswordHasher();
  const logins = deps.logins ?? new LoginThrottle(deps.now);

  async function login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const addr = req.socket.remoteAddress ?? '?';
    let body: Partial<LoginRequest>;
    try {
      body = JSON.parse(await readBody(req, 4096)) as Partial<LoginRequest>;
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close'); // the rest of the body is not read
        return send(res, 413, json({ ok: false, error: { code: 'invalid_payload', message: 'expected JSON { username, password } of at most 4 KiB' } }));
      }
      return send(res, 400, json({ ok: false, error: { code: 'invalid_payload', message: 'expected JSON { username, password }' } }));
    }
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof body.username !== 'string' ||
      typeof body.password !== 'string' ||
      body.username.length > 64 ||
      body.password.length > 256 ||
      (body.newPassword !== undefined && (typeof body.newPassword !== 'string' || body.newPassword.length > MAX_PASSWORD_LENGTH))
    ) {
      return send(res, 400, json({ ok: false, error: { code: 'invalid_payload', message: 'expected JSON { username, password }' } }));
    }
    // Reserved before the hash: guesses sent at once count one by one, and the throttle is asked once per guess.
    const attempt = logins.begin(addr, body.username);
    if (!attempt.ok) return send(res, 429, RATE_LIMITED(attempt.retryMs));
    let operator: Awaited<ReturnType<Registry['authenticateOperator']>>;
    try {
      operator = await deps.registry().authenticateOperator(body.username, body.password, (p, stored) => passwords.verify(p, stored));
    } catch (e) {
      attempt.cancel();
      // The worker's queue is full: refuse at once rather than make everyone wait (the terminals never wait on it).
      if (e instanceof HasherBusy) return send(res, 429, RATE_LIMITED());
      throw e;
    }
    attempt.settle(operator !== undefined);
    if (!operator) return send(res, 401, json({ ok: false, error: { code: 'unauthorized', message: '用户名或密码错误 / wrong username or password' } }));
    // A new account, or one an admin reset: no session at all until the operator has set a password of their own.
    if (deps.registry().mustChangePassword(operator.username)) {
      const checked = deps.registry().operatorSecret(operator.username);
      if (body.newPassword === undefined || !checked)
        return send(res, 403, json(refusal('forbidden', 'set a new password first (send newPassword)', 'password_change_required')));
      const problem = passwordProblem(body.newPassword, body.password);
      if (problem) return send(res, 400, json(refusal('invalid_payload', problem, 'weak_password')));
      try {
        deps.registry().setOwnPassword(operator.username, checked, await hashSecret(body.newPassword));
      } catch (e) {
        if (e instanceof RegistryError) return send(res, 401, json({ ok: false, error: { code: 'unauthorized', message: e.message } }));
        throw e;
      }
      deps.passwordChanged?.(operator);
    }
    send(res, 200, json({ ok: true, session: deps.sessions.issue(operator.username, deps.now()), operator }));
  }

  /** POST /api/logout { session }: ends that session (its open consoles are disconnected). Answers ok for one already gone. */
  async function logout(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body: { session?: unknown };
    try {
      body = JSON.parse(await readBody(req, 4096)) as { session?: unknown };
    } catch {
      return send(res, 400, json({ ok: false, error: { code: 'invalid_payload', message: 'expected JSON { session }' } }));
    }
    // The signature is checked, so only the holder of a token can end its session.
    const claims = typeof body === 'object' && body !== null ? deps.sessions.verify(body.session, deps.now()) : undefined;
    if (!claims) return send(res, 401, json({ ok: false, error: { code: 'unauthorized', message: '会话无效 / not a valid session' } }));
    if (claims.sid) deps.sessions.revoke(claims.sid);
    send(res, 200, json({ ok: true }));
  }

  function serveFile(urlPath: string, res: http.ServerResponse): void {
    const root = path.resolve(deps.consoleDir);
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath);
    } catch {
      return send(res, 400, 'bad path', 'text/plain');
    }
    // A NUL makes fs throw synchronously (ERR_INVALID_ARG_VALUE); no file name has one.
    if (rel.includes('\0')) return send(res, 400, 'bad path', 'text/plain');
    const file = path.resolve(root, '.' + (rel === '/' ? '/index.html' : rel));
    if (file !== root && !file.startsWith(root + path.sep)) return send(res, 403, 'forbidden', 'text/plain');
    fs.readFile(file, (err, data) => {
      if (err) {
        if (!path.extname(file)) {
          // Unknown route without an extension: the single-page console.
          return fs.readFile(path.join(root, 'index.html'), (e2, html) =>
            e2 ? send(res, 503, 'console not built: run npm run build', 'text/plain') : send(res, 200, html, TYPES['.html']),
          );
        }
        return send(res, 404, 'not found', 'text/plain');
      }
      send(res, 200, data, TYPES[path.extname(file)] ?? 'application/octet-stream');
    });
  }

  const tilesNow = (): StationTiles | undefined => (typeof deps.tiles === 'function' ? deps.tiles() : deps.tiles);
  // The policy follows the tiles in force (a new tile server's origin is allowed the moment it is saved); made once per source.
  let cspFor: { config: TileConfig | undefined; csp: string } | undefined;
  const currentCsp = (): string => {
    const config = tilesNow()?.config;
    if (!cspFor || cspFor.config !== config) cspFor = { config, csp: contentSecurityPolicy(config) };
    return cspFor.csp;
  };

  /** Every route. Whatever it throws, synchronously or from its promise, ends in the boundary below. */
  function route(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void> {
    res.setHeader('Content-Security-Policy', currentCsp());
    const pathname = requestPath(req.url);
    if (pathname === undefined) return send(res, 400, 'bad request target', 'text/plain');
    // socket.io (engine.io) takes /socket.io/ requests before they reach this handler: one that gets here is a
    // stray path (e.g. /./socket.io/) and is answered, never left hanging.
    if (pathname.startsWith('/socket.io/')) return send(res, 404, 'not found', 'text/plain');
    if (isTilesPath(pathname)) return handleTilesRequest(pathname, req, res, tilesNow());
    if (pathname === '/api/login') {
      if (req.method !== 'POST') return send(res, 405, JSON.stringify({ ok: false, error: { code: 'invalid_payload', message: 'POST only' } }));
      return login(req, res);
    }
    if (pathname === '/api/logout') {
      if (req.method !== 'POST') return send(res, 405, JSON.stringify({ ok: false, error: { code: 'invalid_payload', message: 'POST only' } }));
      return logout(req, res);
    }
    if (pathname === '/api/health') return send(res, 200, JSON.stringify({ ...deps.health?.(), ok: true, time: deps.now() }));
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', 'text/plain');
    serveFile(pathname, res);
  }

  /** The one error boundary: logs, answers 500 if nothing was answered yet, and otherwise drops the connection. */
  const fail = (req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void => {
    console.error(`http: ${String(req.method).slice(0, 16)} ${String(req.url).slice(0, 200)} failed:`, e);
    try {
      if (!res.headersSent) send(res, 500, JSON.stringify({ ok: false, error: { code: 'internal', message: '接警中心内部错误 / internal error' } }));
      else res.destroy();
    } catch (e2) {
      console.error('http: could not answer the failed request:', e2);
      res.destroy();
    }
  };

  return (req, res) => {
    try {
      const pending = route(req, res);
      if (pending) pending.catch((e: unknown) => fail(req, res, e));
    } catch (e) {
      fail(req, res, e);
    }
  };
}
