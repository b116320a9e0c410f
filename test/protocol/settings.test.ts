// The station settings over the real gateway (main/core/settingsAdmin.ts, shared/stationSettings.ts): an officer may
// neither read nor change them; an admin may, and a live change (volumes, the map source) reaches a second console at
// once, with the Content-Security-Policy following the new tile origin; every change is journalled with the admin.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleHello, ConsoleSettings } from '../../shared/consoleApi';
import type { JournalRecord } from '../../shared/events';
import { DEFAULT_TARGETS } from '../../shared/response';
import { DEFAULT_VOLUMES } from '../../shared/stationSettings';
import { operatorConsole, START_TIMEOUT, startTestCore, type TestCore } from './support';

let t: TestCore;
const sockets: Socket[] = [];

async function consoleOf(role: 'officer' | 'admin'): Promise<{ s: Socket; hello: ConsoleHello }> {
  const c = await operatorConsole(t, { role });
  sockets.push(c.s);
  return c;
}
const send = (s: Socket, name: string, payload: unknown): Promise<Record<string, unknown>> =>
  s.timeout(8000).emitWithAck(name, payload) as Promise<Record<string, unknown>>;
const journal = (): JournalRecord[] =>
  fs
    .readFileSync(path.join(t.dataDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalRecord);

beforeAll(async () => {
  t = await startTestCore();
}, START_TIMEOUT);
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

describe('station settings', () => {
  it('an officer can neither read nor change them (forbidden before the payload is read)', async () => {
    const { s } = await consoleOf('officer');
    for (const [name, payload] of [
      ['admin:settings', {}],
      ['admin:tryMapSource', { source: { kind: 'none' } }],
      ['admin:saveSettings', { settings: { volumes: { ...DEFAULT_VOLUMES, alarm: 100 } } }],
      ['admin:saveSettings', null],
    ] as const) {
      expect(await send(s, name, payload), name).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'not_permitted' } });
    }
    expect(fs.existsSync(path.join(t.dataDir, 'station-settings.json'))).toBe(false);
  });

  it('an admin reads them: each value in force and where it comes from', async () => {
    const { s } = await consoleOf('admin');
    const a = await send(s, 'admin:settings', {});
    expect(a).toMatchObject({
      ok: true,
      view: {
        file: path.join(t.dataDir, 'station-settings.json'),
        effective: { port: 0, timeZone: 'Asia/Shanghai', volumes: DEFAULT_VOLUMES, mapSource: { kind: 'none' } },
        sources: { port: 'flag', dataDir: 'flag', volumes: 'default' },
        pendingRestart: [],
      },
    });
  });

  it("an admin's volume change reaches a second console live; below the alarm's floor it is refused and nothing changes", async () => {
    const { s: admin } = await consoleOf('admin');
    const { s: officer, hello } = await consoleOf('officer');
    expect(hello.settings.volumes).toEqual(DEFAULT_VOLUMES);
    const low = await send(admin, 'admin:saveSettings', { settings: { volumes: { ...DEFAULT_VOLUMES, alarm: 0 } } });
    expect(low).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringMatching(/volumes.alarm: at least 50/) } });
    const pushed = new Promise<ConsoleSettings>((resolve) => officer.once('settings', resolve));
    const volumes = { alarm: 60, drill: 30, fault: 20, link: 70 };
    expect(await send(admin, 'admin:saveSettings', { settings: { volumes } })).toMatchObject({ ok: true, applied: ['volumes'], restart: [] });
    expect((await pushed).volumes).toEqual(volumes);
    expect(JSON.parse(fs.readFileSync(path.join(t.dataDir, 'station-settings.json'), 'utf8'))).toEqual({ volumes });
    const rec = journal().find((r) => r.event.type === 'admin.action' && r.event.action === 'settings.changed' && r.event.target === 'volumes');
    expect(rec?.event).toMatchObject({ operator: { username: 'admin', role: 'admin' }, detail: JSON.stringify(volumes) });
  });

  it('a map source that fails its try is refused with the exact error; a working one switches consoles and the CSP live', async () => {
    const { s: admin } = await consoleOf('admin');
    const { s: officer } = await consoleOf('officer');
    // A tile server of our own: one that answers images, at an origin the CSP does not allow yet.
    const http = await import('node:http');
    const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'image/png' }).end('png'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const bad = await send(admin, 'admin:saveSettings', { settings: { mapSource: { kind: 'url', url: 'http://127.0.0.1:1/{z}/{x}/{y}.png' } } });
      expect(bad).toMatchObject({ ok: false, error: { message: expect.stringMatching(/mapSource: .*(ECONNREFUSED|bad port).*nothing was saved/) } });
      const url = `http://127.0.0.1:${port}/{z}/{x}/{y}.png`;
      expect(await send(admin, 'admin:tryMapSource', { source: { kind: 'url', url } })).toMatchObject({ ok: true, result: { ok: true } });
      expect((await fetch(`${t.url}/`)).headers.get('content-security-policy')).not.toContain(`http://127.0.0.1:${port}`);
      const pushed = new Promise<ConsoleSettings>((resolve) => officer.once('settings', resolve));
      expect(await send(admin, 'admin:saveSettings', { settings: { mapSource: { kind: 'url', url } } })).toMatchObject({ ok: true, applied: ['mapSource'] });
      expect((await pushed).tiles).toMatchObject({ url });
      expect((await fetch(`${t.url}/`)).headers.get('content-security-policy')).toMatch(new RegExp(`img-src [^;]*http://127\\.0\\.0\\.1:${port}`));
      expect(await (await fetch(`${t.url}/map-config.json`)).json()).toMatchObject({ tiles: { url } });
      // Saved anyway when the admin says so (the server may be down for now).
      const forced = await send(admin, 'admin:saveSettings', {
        settings: { mapSource: { kind: 'url', url: 'http://127.0.0.1:1/{z}/{x}/{y}.png' } },
        force: true,
      });
      expect(forced).toMatchObject({ ok: true, applied: ['mapSource'] });
    } finally {
      server.close();
    }
  });

  it('a setting that needs a restart is saved and marked pending, not applied', async () => {
    const { s: admin } = await consoleOf('admin');
    const a = await send(admin, 'admin:saveSettings', { settings: { timeZone: 'America/New_York' } });
    expect(a).toMatchObject({ ok: true, applied: [], restart: ['timeZone'], view: { pendingRestart: ['timeZone'], effective: { timeZone: 'Asia/Shanghai' } } });
    const { hello } = await consoleOf('officer');
    expect(hello.settings.timeZone).toBe('Asia/Shanghai');
    // A hostile save changes nothing.
    const before = fs.readFileSync(path.join(t.dataDir, 'station-settings.json'), 'utf8');
    for (const settings of [JSON.parse('{"__proto__": {"port": 1}}'), { port: 'x' }, { stationName: 'a\u0000' }, { dataDir: '/elsewhere' }]) {
      expect(await send(admin, 'admin:saveSettings', { settings }), JSON.stringify(settings)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(fs.readFileSync(path.join(t.dataDir, 'station-settings.json'), 'utf8')).toBe(before);
  });

  it('a field for the next start that would leave the station unreachable is refused when saved, and nothing changes', async () => {
    const { s: admin } = await consoleOf('admin');
    const before = fs.readFileSync(path.join(t.dataDir, 'station-settings.json'), 'utf8');
    for (const [settings, why] of [
      [{ port: 0 }, /port: a station port is 1–65535/],
      [{ tls: { cert: path.join(t.dataDir, 'no-cert.pem'), key: path.join(t.dataDir, 'no-key.pem') } }, /tls.cert: .*cannot be read/],
    ] as const) {
      expect(await send(admin, 'admin:saveSettings', { settings }), JSON.stringify(settings)).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload', message: expect.stringMatching(why) },
      });
    }
    expect(fs.readFileSync(path.join(t.dataDir, 'station-settings.json'), 'utf8')).toBe(before);
  });

  it('the targets form saved while a map source is being tried: the file keeps both (the slower save does not write an old copy)', async () => {
    const { s: admin } = await consoleOf('admin');
    const file = path.join(t.dataDir, 'station-settings.json');
    expect(await send(admin, 'admin:saveSettings', { settings: { targets: DEFAULT_TARGETS } })).toMatchObject({ ok: true, applied: ['targets'] });
    // A tile server that takes a second to answer the try.
    const http = await import('node:http');
    const server = http.createServer((_req, res) => void setTimeout(() => res.writeHead(200, { 'Content-Type': 'image/png' }).end('png'), 1000));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/{z}/{x}/{y}.png`;
    try {
      const slow = send(admin, 'admin:saveSettings', { settings: { mapSource: { kind: 'url', url } } });
      await new Promise((r) => setTimeout(r, 200));
      const profile = { ...DEFAULT_TARGETS, acknowledgeMs: 40_000 };
      expect(await send(admin, 'admin:setTargets', { profile })).toMatchObject({ ok: true });
      expect(await slow).toMatchObject({ ok: true, applied: ['mapSource'] });
      await new Promise((r) => setTimeout(r, 100));
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { targets: { acknowledgeMs: number }; mapSource: { url: string } };
      expect(saved.targets.acknowledgeMs).toBe(40_000);
      expect(saved.mapSource.url).toBe(url);
    } finally {
      server.close();
    }
  });
});

describe('a map source in the settings file that cannot be opened at start', () => {
  let broken: TestCore;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-broken-map-'));
  afterAll(async () => {
    await broken?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'does not stop the station: it starts on the outline, and the admin screen says why',
    async () => {
      // An archive that was there when it was saved and is junk now (a half-copied file, a dying USB drive).
      const archive = path.join(dir, 'county.pmtiles');
      fs.writeFileSync(archive, 'not a pmtiles archive at all');
      const settings = path.join(dir, 'station-settings.json');
      fs.writeFileSync(settings, JSON.stringify({ mapSource: { kind: 'local', path: archive } }));
      broken = await startTestCore({ env: { STATION_SETTINGS: settings } });
      expect(await (await fetch(`${broken.url}/map-config.json`)).json()).toMatchObject({ tiles: null });
      const { s } = await operatorConsole(broken, { role: 'admin' });
      sockets.push(s);
      const view = await send(s, 'admin:settings', {});
      expect(view).toMatchObject({ ok: true, view: { problems: { mapSource: expect.stringContaining('county.pmtiles') } } });
    },
    START_TIMEOUT,
  );
});
