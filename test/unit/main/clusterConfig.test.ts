// test/unit (Node) — cluster mode by configuration (issue 15): off unless STATION_CLUSTER_NATS names the servers; a
// value that is not a list of NATS URLs, or a stream name NATS would refuse, stops the start with what is wrong.
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
});
