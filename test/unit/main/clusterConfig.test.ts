// test/unit (Node) — cluster mode by configuration (issue 15): off unless STATION_CLUSTER_NATS names the servers; a
// value that is not a list of NATS URLs, or a stream name NATS would refuse, stops the start with what is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../main/config';

const dist = path.resolve(import.meta.dirname, '..', '..', '..', 'dist');

describe('STATION_CLUSTER_NATS', () => {
  it('is off by default: one station on its journal file, as before', () => {
    expect(loadConfig([], {}, dist).cluster).toBeUndefined();
    expect(loadConfig([], { STATION_CLUSTER_NATS: '  ' }, dist).cluster).toBeUndefined();
  });

  it('names every server; the stream and the core name have defaults', () => {
    const c = loadConfig(['--port', '8711'], { STATION_CLUSTER_NATS: 'nats://10.0.0.1:4222, nats://10.0.0.2:4222,tls://n3.example:4222' }, dist).cluster;
    expect(c?.servers).toEqual(['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222', 'tls://n3.example:4222']);
    expect(c?.stream).toBe('STATION');
    expect(c?.name).toMatch(/:8711$/);
    const named = loadConfig([], { STATION_CLUSTER_NATS: 'nats://a:4222', STATION_CLUSTER_STREAM: 'LONGHUA', STATION_CLUSTER_NAME: 'core-2' }, dist).cluster;
    expect([named?.stream, named?.name]).toEqual(['LONGHUA', 'core-2']);
  });

  it('refuses what is not a NATS URL and a stream name with other characters, saying which', () => {
    for (const bad of ['http://a:4222', 'a:4222', 'nats://', 'nats://a:4222,,', 'nats://a:4222,\u0000'])
      expect(() => loadConfig([], { STATION_CLUSTER_NATS: bad }, dist), bad).toThrow(ConfigError);
    expect(() => loadConfig([], { STATION_CLUSTER_NATS: 'nats://a:4222', STATION_CLUSTER_STREAM: 'a.b' }, dist)).toThrow(/STATION_CLUSTER_STREAM/);
    expect(() => loadConfig([], { STATION_CLUSTER_NATS: 'nats://a:4222', STATION_CLUSTER_STREAM: '__proto__ x' }, dist)).toThrow(ConfigError);
  });

  it('takes a user and password out of the URLs (never shown), a token, a creds file or a CA file; one kind of credentials', () => {
    const c = loadConfig([], { STATION_CLUSTER_NATS: 'nats://core:s%40cret@10.0.0.1:4222,nats://core:s%40cret@10.0.0.2:4222' }, dist).cluster!;
    expect(c.servers).toEqual(['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']);
    expect(c.auth).toEqual({ user: 'core', pass: 's@cret' });
    expect(loadConfig([], { STATION_CLUSTER_NATS: 'nats://a:4222', STATION_CLUSTER_TOKEN: 'tok' }, dist).cluster!.auth).toEqual({ token: 'tok' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-config-'));
    const creds = path.join(dir, 'core.creds');
    fs.writeFileSync(creds, 'x');
    expect(loadConfig([], { STATION_CLUSTER_NATS: 'tls://a:4222', STATION_CLUSTER_CREDS: creds, STATION_CLUSTER_CA: creds }, dist).cluster!.auth).toEqual({
      credsFile: creds,
      caFile: creds,
    });
    expect(() => loadConfig([], { STATION_CLUSTER_NATS: 'nats://a:4222', STATION_CLUSTER_CREDS: path.join(dir, 'none.creds') }, dist)).toThrow(
      /does not exist/,
    );
    expect(() => loadConfig([], { STATION_CLUSTER_NATS: 'nats://u:p@a:4222', STATION_CLUSTER_TOKEN: 'tok' }, dist)).toThrow(/one of/);
    expect(() => loadConfig([], { STATION_CLUSTER_NATS: 'nats://u:p@a:4222,nats://v:q@b:4222' }, dist)).toThrow(/one user/);
    // A bad URL is named without the password it held.
    let message = '';
    try {
      loadConfig([], { STATION_CLUSTER_NATS: 'http://u:hunter2@a:4222' }, dist);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/not a NATS server URL/);
    expect(message).not.toContain('hunter2');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a stream named like the lease or the shared files (a journal there would lose records)', () => {
    for (const stream of ['X_LEASE', 'STATION_FILES', 'a_lease'])
      expect(() => loadConfig([], { STATION_CLUSTER_NATS: 'nats://a:4222', STATION_CLUSTER_STREAM: stream }, dist), stream).toThrow(/_LEASE or _FILES/);
  });
});
