// The station as a service with TLS (issue 14, item 2; docs/service.md): a station CA and a server certificate made
// by deploy/tls/make-certs.sh, exactly as the doc says, and the core started with them through its front process (as
// `npm start -- --web` runs it): terminals and consoles that trust the CA connect over wss/https; a client that trusts
// another CA, or none, does not. Skipped (and says so) where bash or openssl is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, connect, ROOT, START_TIMEOUT, startTestCore, terminalAuth, tryHandshake, validAlarm, type TestCore } from './support';

const SCRIPT = path.join(ROOT, 'deploy', 'tls', 'make-certs.sh');

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tools = have('openssl', ['version']) && have('bash', ['--version']);
if (!tools) console.warn('tlsService.test.ts: skipped, openssl or bash is not installed');

const get = (url: string, ca?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    https
      .get(url, { ...(ca ? { ca } : {}) }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });

describe.skipIf(!tools)('TLS with a station CA (deploy/tls/make-certs.sh)', () => {
  let t: TestCore;
  let dir: string;
  let ca: string;
  let otherCa: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-ca-'));
    const out = execFileSync('bash', [SCRIPT, path.join(dir, 'tls'), 'localhost', '127.0.0.1'], { encoding: 'utf8' });
    expect(out).toMatch(/made a station CA/);
    execFileSync('bash', [SCRIPT, path.join(dir, 'other'), 'localhost', '127.0.0.1'], { stdio: 'ignore' });
    ca = fs.readFileSync(path.join(dir, 'tls', 'ca.crt'), 'utf8');
    otherCa = fs.readFileSync(path.join(dir, 'other', 'ca.crt'), 'utf8');
    t = await startTestCore({
      env: { STATION_TLS_CERT: path.join(dir, 'tls', 'server.crt'), STATION_TLS_KEY: path.join(dir, 'tls', 'server.key') },
      front: true,
    });
  }, START_TIMEOUT);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the server certificate is signed by the CA and names the addresses given', () => {
    const text = execFileSync('openssl', ['x509', '-in', path.join(dir, 'tls', 'server.crt'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1/);
    expect(text).toMatch(/Issuer: CN = School-alarm station CA/);
    expect(text).toMatch(/TLS Web Server Authentication/);
  });

  it('a console PC that trusts the CA loads the console over https, by address and by name', async () => {
    expect(t.url.startsWith('https://127.0.0.1:')).toBe(true);
    // The console's page where it is built (npm run build); the TLS handshake is what counts here.
    const built = fs.existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'));
    const page = await get(`${t.url}/`, ca);
    if (built) expect(page.body).toMatch(/<html/i);
    expect(page.status).toBe(built ? 200 : page.status);
    expect((await get(`${t.url.replace('127.0.0.1', 'localhost')}/`, ca)).status).toBe(page.status);
  });

  it('a terminal that trusts the CA raises an alarm over wss', async () => {
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!), { ca });
    try {
      expect(await ask(s, 'alarm', validAlarm())).toMatchObject({ ok: true });
    } finally {
      s.close();
    }
  });

  it('a client that trusts another CA or none is refused (no silent downgrade), and plain http does not answer', async () => {
    for (const o of [{ ca: otherCa }, {}]) {
      const r = await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!), o);
      expect(r.result).not.toBe('connected');
      expect(r.result).not.toBe('unauthorized');
    }
    await expect(get(`${t.url}/`, otherCa)).rejects.toThrow(/certificate/i);
    const plain = await tryHandshake(t.url.replace('https://', 'http://'), '/terminal', terminalAuth(t.creds.terminals[0]!));
    expect(plain.result).not.toBe('connected');
  });
});
