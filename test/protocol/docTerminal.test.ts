// "A terminal written only from docs/protocol.md works end to end": the ```js blocks marked
// `<!-- example: terminal.mjs -->` and `<!-- example: unit.mjs -->` are taken from the doc at test time, written out
// unchanged as ES modules next to a node_modules with socket.io-client, imported, and run against the real core; the
// wire transcript marked
// `<!-- example: frames -->` is replayed over a raw WebSocket and every station frame is checked against it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../main/core/registry';
import type { AlarmReceived } from '../../shared/events';
import type { AlarmStatus } from '../../shared/protocol';
import { OFFICER, rawConnect, ROOT, sleep, START_TIMEOUT, startTestCore, waitFor, type RawSocket, type TestCore } from './support';

const DOC = path.join(ROOT, 'docs', 'protocol.md');

/** The fenced block right after `<!-- example: NAME -->`. */
function docBlock(name: string, lang: string): string {
  const text = fs.readFileSync(DOC, 'utf8');
  const marker = `<!-- example: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`docs/protocol.md has no ${marker}`);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(text.slice(at));
  if (!m) throw new Error(`no \`\`\`${lang} block after ${marker}`);
  return m[1]!;
}

interface DocTerminal {
  socket: { connected: boolean; io: { engine: { close(): void } } };
  press(
    kind?: string,
    opts?: Record<string, unknown>,
  ): Promise<{ alarmId: string; ack: { ok: boolean; incidentId: string; receivedAt: number; duplicate?: boolean } }>;
  cancel(alarmId: string, reason: string): Promise<unknown>;
  clockSkewMs(): number;
  close(): void;
}
interface DocUnit {
  socket: { connected: boolean };
  position(fix: Record<string, number>): void;
  status(state: string, incidentId?: string): Promise<unknown>;
  close(): void;
}

let t: TestCore;
let dir: string;
let startTerminal: (o: Record<string, unknown>) => DocTerminal;
let startUnit: (o: Record<string, unknown>) => DocUnit;
const importFile = (file: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ pathToFileURL(file).href) as Promise<Record<string, unknown>>;

beforeAll(async () => {
  t = await startTestCore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-terminal-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir'); // `npm install socket.io-client`
  fs.writeFileSync(path.join(dir, 'terminal.mjs'), docBlock('terminal.mjs', 'js'));
  fs.writeFileSync(path.join(dir, 'unit.mjs'), docBlock('unit.mjs', 'js'));
  startTerminal = (await importFile(path.join(dir, 'terminal.mjs'))).startTerminal as typeof startTerminal;
  startUnit = (await importFile(path.join(dir, 'unit.mjs'))).startUnit as typeof startUnit;
}, START_TIMEOUT);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const alarmRecords = (alarmId: string): AlarmReceived[] =>
  t
    .records()
    .map((r) => r.event)
    .filter((e): e is AlarmReceived => e.type === 'alarm.received' && e.alarmId === alarmId);

describe('the terminal of docs/protocol.md', () => {
  it('presses, gets acked, hears received and acknowledged, cancels, and sends heartbeats', async () => {
    const term = t.creds.terminals[0]!;
    const statuses: AlarmStatus[] = [];
    const faults: string[] = [];
    const terminal = startTerminal({
      url: t.url,
      deviceId: term.deviceId,
      token: term.token,
      heartbeatMs: 300,
      sensors: () => ({ battery: 77, powerSource: 'mains', tamper: false }),
      onStatus: (s: AlarmStatus) => statuses.push(s),
      onFault: (f: string) => faults.push(f),
    });
    try {
      const { alarmId, ack } = await terminal.press('panic', { note: '东门 (east gate)' });
      expect(ack).toMatchObject({ ok: true, incidentId: expect.any(String), receivedAt: expect.any(Number) });
      const recs = alarmRecords(alarmId);
      expect(recs).toHaveLength(1);
      expect(recs[0]).toMatchObject({ deviceId: term.deviceId, schoolId: term.schoolId, kind: 'panic', note: '东门 (east gate)' });

      await waitFor('received', () => statuses.find((s) => s.alarmId === alarmId && s.state === 'received'));
      expect(t.core.station.operators.acknowledge(OFFICER, ack.incidentId)).toEqual({ ok: true });
      const st = await waitFor('acknowledged', () => statuses.find((s) => s.alarmId === alarmId && s.state === 'acknowledged'));
      expect(st.incidentId).toBe(ack.incidentId);

      expect(await terminal.cancel(alarmId, '学生误触')).toEqual({ ok: true });
      expect(t.core.station.snapshot.incidents.get(ack.incidentId)?.cancelRequest?.reason).toBe('学生误触');

      await waitFor('a heartbeat', () => t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)?.lastHeartbeatAt);
      expect(t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)).toMatchObject({
        battery: 77,
        powerSource: 'mains',
        skewFlagged: false,
      });
      expect(Math.abs(terminal.clockSkewMs())).toBeLessThan(1000);
      expect(faults).toEqual([]);
    } finally {
      terminal.close();
    }
  });

  it('a press while the connection is down is delivered once the terminal is back, exactly once', async () => {
    const term = t.creds.terminals[1]!;
    const terminal = startTerminal({ url: t.url, deviceId: term.deviceId, token: term.token });
    try {
      await waitFor('connected', () => terminal.socket.connected, 5000);
      terminal.socket.io.engine.close(); // the school's network drops
      const { alarmId, ack } = await terminal.press('intrusion');
      expect(ack.ok).toBe(true);
      expect(alarmRecords(alarmId)).toHaveLength(1);
    } finally {
      terminal.close();
    }
  });

  it('hears the state of its open alarms again after reconnecting', async () => {
    const term = t.creds.terminals[2]!;
    const first = startTerminal({ url: t.url, deviceId: term.deviceId, token: term.token });
    const { alarmId, ack } = await first.press('fire', { drill: true });
    first.close();
    t.core.station.operators.acknowledge(OFFICER, ack.incidentId);
    const statuses: AlarmStatus[] = [];
    const again = startTerminal({ url: t.url, deviceId: term.deviceId, token: term.token, onStatus: (s: AlarmStatus) => statuses.push(s) });
    try {
      const s = await waitFor('re-sent status', () => statuses.find((x) => x.alarmId === alarmId));
      expect(s.state).toBe('acknowledged');
    } finally {
      again.close();
    }
  });

  it('shows a fault on unauthorized instead of hammering the station', async () => {
    const term = t.creds.terminals[3]!;
    const faults: string[] = [];
    const terminal = startTerminal({ url: t.url, deviceId: term.deviceId, token: 'not-the-token', onFault: (f: string) => faults.push(f) });
    try {
      await waitFor('fault', () => faults.length > 0, 3000);
      expect(faults).toEqual(['unauthorized']);
      await sleep(500);
      expect(faults).toEqual(['unauthorized']); // no retry loop
    } finally {
      terminal.close();
    }
  });

  it('after its token is rotated (admin CLI) it is cut off, reconnects once, and reports unauthorized', async () => {
    const term = t.creds.terminals[4]!;
    const faults: string[] = [];
    const terminal = startTerminal({ url: t.url, deviceId: term.deviceId, token: term.token, onFault: (f: string) => faults.push(f) });
    try {
      await waitFor('connected', () => terminal.socket.connected, 5000);
      await Registry.load(t.core.station.registry.path!).rotateDevice(term.deviceId);
      await waitFor('cut off', () => !terminal.socket.connected, 1500);
      await waitFor('unauthorized after its reconnect', () => faults.includes('unauthorized'), 8000);
    } finally {
      terminal.close();
    }
  });
});

describe('the unit of docs/protocol.md', () => {
  it('reports positions and status, and accepts a dispatch with its ack', async () => {
    const u = t.creds.units[0]!;
    const jobs: Record<string, unknown>[] = [];
    const unit = startUnit({ url: t.url, unitId: u.unitId, token: u.token, onDispatch: (job: Record<string, unknown>) => jobs.push(job) > 0 });
    try {
      await waitFor('connected', () => unit.socket.connected, 5000);
      unit.position({ lat: 41.33, lng: 117.74, heading: 180, speed: 8 });
      await waitFor('live position', () => t.core.station.units.unitsLive().find((x) => x.unitId === u.unitId && x.lat === 41.33));
      expect(await unit.status('en_route')).toEqual({ ok: true });
      expect(t.core.station.snapshot.units.get(u.unitId)?.state).toBe('en_route');
      expect(await unit.status('on_scene', '20990101-0001')).toMatchObject({ ok: false, error: { code: 'forbidden' } });

      // An officer dispatches it (派警) to a school's alarm: the unit's handler accepts, the station records it.
      const school = startTerminal({ url: t.url, deviceId: t.creds.terminals[6]!.deviceId, token: t.creds.terminals[6]!.token });
      try {
        const { ack } = await school.press('violence');
        t.core.station.operators.acknowledge(OFFICER, ack.incidentId);
        expect(t.core.station.operators.dispatchUnit(OFFICER, ack.incidentId, u.unitId)).toEqual({ ok: true });
        await waitFor('the job', () => jobs.find((j) => j.incidentId === ack.incidentId));
        await waitFor('accepted', () =>
          t.records().some((r) => r.event.type !== 'incident.dispatched' && JSON.stringify(r.event).includes(ack.incidentId) && /accept/.test(r.event.type)),
        );
        expect(await unit.status('en_route', ack.incidentId)).toEqual({ ok: true });
        expect(await unit.status('on_scene', ack.incidentId)).toEqual({ ok: true });
      } finally {
        school.close();
      }
    } finally {
      unit.close();
    }
  });
});

describe('the wire transcript of docs/protocol.md', () => {
  it('is what the station really sends, frame by frame', async () => {
    const term = t.creds.terminals[5]!;
    const lines = docBlock('frames', 'text')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const values = new Map<string, string>();
    const fill = (s: string): string =>
      s
        .replaceAll('<deviceId>', term.deviceId)
        .replaceAll('<token>', term.token)
        .replaceAll('<raisedAt>', String(Date.now()))
        .replaceAll('<sentAt>', String(Date.now()));
    /** A station line → a regexp: bound placeholders must repeat their first value; <time>, <message> and sids vary. */
    const matcher = (line: string): { re: RegExp; names: string[] } => {
      const names: string[] = [];
      const re = line
        .split(/(<[a-zA-Z-]+>)/)
        .map((part) => {
          if (!/^<[a-zA-Z-]+>$/.test(part)) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          if (part === '<time>') return '\\d+';
          if (part === '<message>') return '[^"]+';
          if (part === '<engine-sid>' || part === '<socket-sid>') return '[A-Za-z0-9_-]+';
          const known = values.get(part);
          if (known !== undefined) return known.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(part);
          return '([A-Za-z0-9_-]+)';
        })
        .join('');
      return { re: new RegExp(`^${re}$`), names };
    };

    let raw: RawSocket | undefined;
    const opened: RawSocket[] = [];
    let seen = 0;
    try {
      for (const line of lines) {
        if (line.startsWith('→ (open')) {
          raw = await rawConnect(t.url);
          opened.push(raw);
          seen = 0;
          continue;
        }
        if (!raw) throw new Error(`transcript sends before opening a WebSocket: ${line}`);
        if (line.startsWith('→ ')) {
          raw.send(fill(line.slice(2)));
          continue;
        }
        if (!line.startsWith('← ')) throw new Error(`not a transcript line: ${line}`);
        const { re, names } = matcher(line.slice(2));
        // The next station frame that is not a ping must be this one.
        const frame = await raw.next((f) => f !== '2', 3000, seen);
        seen = raw.frames.indexOf(frame, seen) + 1;
        const m = re.exec(frame);
        expect(m, `station sent\n  ${frame}\ndoc says\n  ${line.slice(2)}`).not.toBeNull();
        names.forEach((n, i) => values.set(n, m![i + 1]!));
      }
    } finally {
      for (const r of opened) r.close();
    }
    expect(values.get('<incidentId>')).toMatch(/^\S+$/);
    expect(alarmRecords('T01-000042').filter((e) => e.deviceId === term.deviceId)).toHaveLength(1);
  });
});
