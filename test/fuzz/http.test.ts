// test/fuzz — hostile HTTP against the REAL core (a child process), over raw TCP so nothing is normalized by a
// client library: every route (/, static files, /api/login, /api/health, /map-config.json, /tiles/…, /socket.io/,
// unknown) with hostile request-targets (NUL, %00, //, absolute-form with a bad port, overlong, invalid
// percent-encoding …), methods, headers and bodies. Each request must be answered and leave the process up; after
// each batch the station must be whole (harness.ts, wholeStationProblems).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, freshAddress, FuzzStation, healthy, rawHttp, runProperty, tileFolder, wholeStationProblems, timeout } from './harness';

const ROUTES = [
  '/',
  '/index.html',
  '/assets/index.js',
  '/favicon.ico',
  '/api/login',
  '/api/health',
  '/map-config.json',
  '/tiles/0/0/0.png',
  '/tiles/1/1/1',
  '/tiles/25/99999999/1',
  '/tiles',
  '/socket.io/?EIO=4&transport=polling',
  '/unknown',
  '/no/such/file.css',
] as const;

/** Pieces a hostile client puts into a request-target. */
const HOSTILE_PIECES = [
  '%00',
  '\0',
  '/',
  '//',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AE%C0%AE/',
  '%ff',
  '..%2f..%2f..%2fetc%2fpasswd',
  '/../../../../etc/passwd',
  '\\..\\..\\',
  '%5c',
  '?%00=%00',
  '?__proto__[x]=1',
  '#frag',
  '\u4e2d\u6587',
  '\xff\xfe',
  ';jsessionid=1',
  '%2e%2e',
  '.js',
  '.',
  '~',
  '*',
] as const;

/** Absolute-form request-targets (RFC 9112 3.2.2), and other forms a router may not expect. */
const TARGET_FORMS = ['', 'http://x:99999', 'http://station', 'http://[::1', 'http://a@b:0', 'https://x', 'http://x:-1', '*', 'x'] as const;

type Mutation = { where: 'prefix' | 'suffix' | 'middle'; piece: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  where: fc.constantFrom('suffix', 'middle', 'prefix'),
  piece: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...HOSTILE_PIECES) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) }),
});

function applyMutations(base: string, ms: readonly Mutation[]): string {
  let t = base;
  for (const m of ms) {
    if (m.where === 'suffix') t += m.piece;
    else if (m.where === 'prefix') t = m.piece + t;
    else {
      const i = Math.floor(t.length / 2);
      t = t.slice(0, i) + m.piece + t.slice(i);
    }
  }
  return t;
}

const target = fc
  .record({
    form: fc.constantFrom(...TARGET_FORMS),
    route: fc.constantFrom(...ROUTES),
    mutations: fc.array(mutation, { maxLength: 3 }),
    // Overlong: within Node's 16 KiB header limit, and beyond it.
    pad: fc.constantFrom(0, 0, 0, 2000, 15_000, 100_000),
  })
  .map(({ form, route, mutations, pad }) => form + applyMutations(route, mutations) + 'a'.repeat(pad));

/** The bytes of one request; Content-Length always matches the body, so every request is complete and must be answered. */
function request(method: string, tgt: string, headers: readonly string[], body: Buffer): Buffer {
  const head = `${method} ${tgt} HTTP/1.1\r\n${headers.map((h) => h + '\r\n').join('')}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  // latin1: each char of the target is one byte, so NUL, 0xff … go out as raw bytes.
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

let st: FuzzStation;
let tiles: string;
beforeAll(async () => {
  ensureBuilt();
  tiles = tileFolder();
  st = new FuzzStation(['--tiles', tiles]);
  await st.startFresh();
}, 300_000);
afterAll(async () => {
  await st?.close();
});

/** One request: answered (a status line), and the process up and healthy afterwards. Throws what went wrong. */
async function sendAndCheck(raw: Buffer, method = 'GET'): Promise<void> {
  await st.ensureUp();
  const res = await rawHttp(st.port, raw, { localAddress: freshAddress(9) });
  const up = st.alive() && (await healthy(st.port));
  if (!up) {
    // Give the exit a moment to be observed, so the report says how it died.
    await new Promise((r) => setTimeout(r, 100));
    throw new Error(`the station went down (alive: ${st.alive()}); answer: ${JSON.stringify(res)}; last output:\n${st.output().slice(-700)}`);
  }
  // Never left hanging: a held-open request is a held file descriptor.
  if (res.timedOut) throw new Error(`no answer and no close within 3 s: ${JSON.stringify(res)}`);
  // A request the parser cannot take is closed with 400/431 by Node itself; every complete request gets a status.
  // (CONNECT is the exception Node makes: without a 'connect' listener it closes the socket unanswered.)
  if (res.status === undefined && raw.length < 16 * 1024 && method !== 'CONNECT') throw new Error(`no HTTP answer: ${JSON.stringify(res)}`);
}

describe('HTTP request-targets on every route', () => {
  it(
    'no request-target ends the process or goes unanswered',
    async () => {
      await runProperty(
        'http: hostile request-targets',
        fc.asyncProperty(fc.constantFrom('GET', 'HEAD'), target, async (method, tgt) => {
          await sendAndCheck(request(method, tgt, ['Host: station'], Buffer.alloc(0)));
        }),
        { numRuns: 150, timeLimitMs: 45_000 },
      );
    },
    timeout(120_000),
  );

  it(
    'afterwards the station is whole (alive, health, alarm → console, verify, restart)',
    async () => {
      expect(await wholeStationProblems(st)).toEqual([]);
    },
    timeout(60_000),
  );
});

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'CONNECT', 'get', 'X-NO-SUCH'] as const;
const LOGIN_BODIES = [
  '',
  '{}',
  'null',
  '[]',
  '"x"',
  '1e999',
  '{"username":"__proto__","password":"x"}',
  '{"username":"constructor","password":"constructor"}',
  '{"username":"toString","password":"hasOwnProperty"}',
  '{"__proto__":{"username":"admin","password":"x"},"username":"admin","password":"x"}',
  '{"constructor":{"prototype":{"polluted":1}},"username":"a","password":"b"}',
  '{"username":{"toString":"x"},"password":"x"}',
  '{"username":["admin"],"password":["x"]}',
  '{"username":"admin\\u0000","password":"x\\u0000"}',
  '{"username":"admin","password":"x","extra":{"__proto__":null}}',
  '{"username":1,"password":2}',
  '{"username":null,"password":null}',
  '{"username":"admin","password":"x"',
  '\xff\xfe\x00{',
] as const;
const HEADER_SETS: readonly (readonly string[])[] = [
  ['Host: station'],
  ['Host: station', 'Content-Type: application/json'],
  ['Host: x:99999'],
  ['Host: [::1'],
  ['Host: station', 'Host: other'],
  ['Host: station', 'If-None-Match: "x"', 'Range: bytes=0-1'],
  ['Host: station', 'Transfer-Encoding: identity'],
  ['Host: station', 'X-Forwarded-For: __proto__'],
  ['Host: station', 'Accept-Encoding: gzip, br, __proto__'],
  ['Host: station', 'Cookie: __proto__=1; constructor=2'],
];

const body = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LOGIN_BODIES).map((s) => Buffer.from(s, 'latin1')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 64 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.constantFrom(4095, 4097, 100_000).map((n) => Buffer.from(JSON.stringify({ username: 'x'.repeat(n), password: 'y' }))) },
);

describe('HTTP methods, headers and bodies on every route', () => {
  it(
    'no method, header or body ends the process or goes unanswered',
    async () => {
      await runProperty(
        'http: methods, headers, bodies',
        fc.asyncProperty(fc.constantFrom(...METHODS), fc.constantFrom(...ROUTES), fc.constantFrom(...HEADER_SETS), body, async (method, route, headers, b) => {
          await sendAndCheck(request(method, route, headers, b), method);
        }),
        { numRuns: 120, timeLimitMs: 40_000 },
      );
    },
    timeout(120_000),
  );

  it(
    'afterwards the station is whole (alive, health, alarm → console, verify, restart)',
    async () => {
      expect(await wholeStationProblems(st)).toEqual([]);
    },
    timeout(60_000),
  );
});

describe('HTTP: the request-targets of issue 9, one by one', () => {
  // The instances found by hand (issue 9, finding 1), so that each is tried on every run whatever the seed.
  it.each(['/%00', '/app%00.js', '//', 'http://x:99999/', '/tiles/%00', '/%E0%A4%A', '/api/health%00'])(
    'GET %s leaves the station up and is answered',
    async (tgt) => {
      await sendAndCheck(request('GET', tgt, ['Host: station'], Buffer.alloc(0)));
    },
    timeout(30_000),
  );
});
