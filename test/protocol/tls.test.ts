// Protocol v1 conformance — TLS: whenever a certificate and key are configured (STATION_TLS_CERT, STATION_TLS_KEY)
// the station speaks wss/https only. A throwaway self-signed certificate for 127.0.0.1 is made with openssl.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, connect, START_TIMEOUT, startTestCore, terminalAuth, tryHandshake, validAlarm, type TestCore } from './support';

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!haveOpenssl())('TLS', () => {
  let t: TestCore;
  let certDir: string;
  let cert: string;
  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-tls-'));
    const key = path.join(certDir, 'key.pem');
    const crt = path.join(certDir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cert = fs.readFileSync(crt, 'utf8');
    t = await startTestCore({ env: { STATION_TLS_CERT: crt, STATION_TLS_KEY: key } });
  }, START_TIMEOUT);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('the station listens on https/wss when a certificate and key are configured', () => {
    expect(t.url.startsWith('https://')).toBe(true);
  });

  it('a terminal that trusts the certificate connects over wss and raises an alarm', async () => {
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!), { ca: cert });
    try {
      expect(await ask(s, 'alarm', validAlarm())).toMatchObject({ ok: true });
    } finally {
      s.close();
    }
  });

  it('a terminal that does not trust the certificate cannot connect (no silent downgrade)', async () => {
    const r = await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!));
    expect(r.result).not.toBe('connected');
    expect(r.result).not.toBe('unauthorized');
  });

  it('plain ws on the TLS port does not work', async () => {
    const r = await tryHandshake(t.url.replace('https://', 'http://'), '/terminal', terminalAuth(t.creds.terminals[0]!));
    expect(r.result).not.toBe('connected');
  });
});
