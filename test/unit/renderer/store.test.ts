// test/unit/renderer — the console store against a real Dexie replica on fake-indexeddb: what the link delivers
// (hello, records, snapshot, volatile alarms, health) folds into the state and the replica; a reload (a new store on
// the same IndexedDB) shows it at once and asks only for what follows; another journal discards it; a gap resyncs.
// Only the station link (a socket), Howler and the Electron shell are stood in for; the store and Dexie are real.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsoleHello, DeviceHealth } from '../../../shared/consoleApi';
import { alarmQueue, entryId } from '../../../shared/consoleView';
import type { AlarmReceived, JournalRecord, StationEvent } from '../../../shared/events';
import { emptyState, foldRecords, toSnapshot } from '../../../shared/incidents';
import type { ReferenceData } from '../../../shared/model';
import { DEFAULT_TARGETS } from '../../../shared/response';
import type { LinkHandlers, StationLink } from '../../../renderer/adapters/stationLink';
import { officer } from '../../support/operators';

interface FakeLink {
  handlers: LinkHandlers;
  since: () => number;
  resync: ReturnType<typeof vi.fn>;
}

const fake = vi.hoisted(() => ({
  links: [] as FakeLink[],
  tone: undefined as 'alarm' | 'fault' | undefined,
  urgent: false,
  notify: vi.fn(),
}));

vi.mock('../../../renderer/adapters/stationLink', () => ({
  login: async () => ({ ok: true, session: 'session-1', operator: officer }),
  logout: async () => undefined,
  connect: (_session: string, since: () => number, handlers: LinkHandlers): Partial<StationLink> => {
    const resync = vi.fn();
    fake.links.push({ handlers, since, resync });
    return { resync, close: () => undefined, call: async () => ({ ok: true }) as never };
  },
}));
vi.mock('../../../renderer/adapters/sound', () => ({
  createSound: () => ({
    start(tone: 'alarm' | 'fault', urgent = false) {
      fake.tone = tone;
      fake.urgent = urgent;
    },
    stop() {
      fake.tone = undefined;
      fake.urgent = false;
    },
    state: () => (fake.tone ? 'playing' : 'idle'),
    tone: () => fake.tone,
    urgent: () => fake.urgent,
    unlock: () => undefined,
    subscribe: () => () => undefined,
  }),
}));
vi.mock('../../../renderer/adapters/shell', () => ({ shell: { notify: fake.notify, requestAttention: () => undefined } }));

const { ConsoleStore } = await import('../../../renderer/store');
const { openReplica } = await import('../../../renderer/adapters/replica');

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);
const reference: ReferenceData = {
  stationName: '隆化县公安局',
  schools: [],
  terminals: [],
  guardPosts: [],
  policeRooms: [],
  units: [],
  targets: DEFAULT_TARGETS,
};
const hello = (journalId: string): ConsoleHello => ({
  journalId,
  operator: officer,
  reference,
  serverTime: Date.now(),
  journalProblems: [],
  settings: { unitStaleMs: 45_000, timeZone: 'Asia/Shanghai' },
});
const alarm = (n: number): AlarmReceived => ({
  type: 'alarm.received',
  at: T0 + n,
  incidentId: `20261130-000${n}`,
  deviceId: `dev-${n}`,
  schoolId: `school-${n}`,
  alarmId: `a${n}`,
  kind: 'panic',
  drill: false,
  raisedAt: T0 + n,
});
const acked = (n: number): StationEvent => ({ type: 'incident.acknowledged', at: T0 + 5_000 + n, incidentId: `20261130-000${n}`, operator: officer });
const rec = (seq: number, event: StationEvent): JournalRecord => ({ seq, event });
const health = (deviceId: string, online: boolean): DeviceHealth => ({
  deviceId,
  schoolId: 's',
  label: deviceId,
  disabled: false,
  connected: online,
  online,
  skewFlagged: false,
  tamper: false,
  refusals: {},
});

/** Waits until `f` holds (replica writes are batched for 150 ms, and a reload's replica load is asynchronous). */
async function until<T>(what: string, f: () => T | Promise<T>, timeoutMs = 3000): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v as Exclude<T, false | 0 | '' | null | undefined>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
/** What the replica in (fake) IndexedDB holds now. */
const stored = () => openReplica().load();

/** A console that logged in and connected; its link is the last one made. */
async function loggedIn(): Promise<{ store: InstanceType<typeof ConsoleStore>; link: FakeLink }> {
  const store = new ConsoleStore();
  await store.login('wang', 'pw');
  return { store, link: fake.links.at(-1)! };
}
/** A reload of the page: a new store on the same IndexedDB, resuming the session kept in sessionStorage. */
async function reloaded(): Promise<{ store: InstanceType<typeof ConsoleStore>; link: FakeLink }> {
  const before = fake.links.length;
  const store = new ConsoleStore();
  await until('the reloaded console to connect', () => fake.links.length > before);
  return { store, link: fake.links.at(-1)! };
}

beforeEach(() => {
  const session = new Map<string, string>();
  vi.stubGlobal('window', { location: { href: 'http://127.0.0.1:8700/' }, addEventListener: () => undefined });
  vi.stubGlobal('navigator', {});
  vi.stubGlobal('sessionStorage', {
    getItem: (k: string) => session.get(k) ?? null,
    setItem: (k: string, v: string) => void session.set(k, v),
    removeItem: (k: string) => void session.delete(k),
  });
  fake.links.length = 0;
  fake.tone = undefined;
  fake.notify.mockClear();
  // A fresh IndexedDB for each test; within a test, every store (and a reload) shares it.
  Dexie.dependencies.indexedDB = new IDBFactory();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the console store and its replica', () => {
  it('folds hello and records into its state and the replica; a reload shows them at once and asks only for what follows', async () => {
    const { store, link } = await loggedIn();
    expect(store.state.phase).toBe('ready');
    // Until the core's hello, the shared defaults; then the station's own settings (its stale limit for the map and the panel).
    expect(store.state.settings).toEqual({ unitStaleMs: 120_000, timeZone: 'Asia/Shanghai' });
    link.handlers.hello(hello('J1'));
    expect(store.state.settings).toEqual({ unitStaleMs: 45_000, timeZone: 'Asia/Shanghai' });
    link.handlers.records([rec(1, alarm(1)), rec(2, alarm(2)), rec(3, acked(2))]);
    expect(store.state.station.seq).toBe(3);
    expect(store.state.reference?.stationName).toBe('隆化县公安局');
    expect(alarmQueue(store.state.station, []).map(entryId)).toEqual(['20261130-0001', '20261130-0002']);
    const held = await until('the records in the replica', async () => {
      const r = await stored();
      return r.records.length === 3 && r;
    });
    expect(held).toMatchObject({ journalId: 'J1', reference });

    const again = await reloaded();
    expect(again.store.state.station.seq).toBe(3);
    expect(again.store.state.station.incidents.get('20261130-0002')?.acknowledgedBy).toEqual(officer);
    expect(again.store.state.reference).toEqual(reference);
    expect(again.link.since()).toBe(3);
  });

  it('a hello from another journal (the station was reset) discards what the replica held and resyncs', async () => {
    const { link } = await loggedIn();
    link.handlers.hello(hello('J1'));
    link.handlers.records([rec(1, alarm(1)), rec(2, alarm(2))]);
    await until('the records in the replica', async () => (await stored()).records.length === 2);

    const again = await reloaded();
    expect(again.store.state.station.incidents.size).toBe(2);
    again.link.handlers.hello(hello('J2'));
    expect(again.store.state.station).toBe(emptyState);
    expect(again.link.resync).toHaveBeenCalledTimes(1);
    // Records of the old journal that were still on their way are not mixed in.
    again.link.handlers.records([rec(3, alarm(3))]);
    expect(again.store.state.station.seq).toBe(0);
    const cleared = await until('the replica bound to J2', async () => {
      const r = await stored();
      return r.journalId === 'J2' && r;
    });
    expect(cleared.records).toEqual([]);
  });

  it('a snapshot replaces the state, in memory and in the replica', async () => {
    const { store, link } = await loggedIn();
    link.handlers.hello(hello('J1'));
    link.handlers.records([rec(1, alarm(1))]);
    const far = foldRecords([rec(1, alarm(5)), rec(2, alarm(6)), rec(3, acked(6)), { seq: 5000, event: acked(5) }]);
    link.handlers.snapshot(toSnapshot(far, T0 + 60_000));
    expect(store.state.station.seq).toBe(5000);
    expect([...store.state.station.incidents.keys()].sort()).toEqual(['20261130-0005', '20261130-0006']);
    await until('the snapshot in the replica', async () => (await stored()).snapshot?.seq === 5000);

    const again = await reloaded();
    expect(again.store.state.station.seq).toBe(5000);
    expect([...again.store.state.station.incidents.keys()].sort()).toEqual(['20261130-0005', '20261130-0006']);
  });

  it('never folds past a gap: it keeps what came before it and asks for the rest again; records it holds are skipped', async () => {
    const { store, link } = await loggedIn();
    link.handlers.hello(hello('J1'));
    link.handlers.records([rec(1, alarm(1)), rec(2, alarm(2))]);
    link.handlers.records([rec(2, alarm(2)), rec(3, alarm(3)), rec(5, alarm(5))]);
    expect(store.state.station.seq).toBe(3);
    expect(store.state.station.incidents.has('20261130-0005')).toBe(false);
    expect(link.resync).toHaveBeenCalledTimes(1);
    link.handlers.records([rec(4, acked(1)), rec(5, alarm(5))]);
    expect(store.state.station.seq).toBe(5);
    expect(link.resync).toHaveBeenCalledTimes(1);
  });

  it('shows alarms the core could not store, and sounds the alarm tone for them until they are stored and taken', async () => {
    const { store, link } = await loggedIn();
    link.handlers.hello(hello('J1'));
    expect(fake.tone).toBeUndefined();
    link.handlers.volatile([alarm(7)]);
    expect(store.state.volatile).toEqual([alarm(7)]);
    expect(alarmQueue(store.state.station, store.state.volatile).map(entryId)).toEqual(['20261130-0007']);
    expect([store.state.sound, store.state.soundTone]).toEqual(['playing', 'alarm']);
    // Stored at last (the retry with the same alarmId): one card, no longer volatile; taken: silence.
    link.handlers.records([rec(1, alarm(7))]);
    link.handlers.volatile([]);
    expect(alarmQueue(store.state.station, store.state.volatile).map(entryId)).toEqual(['20261130-0007']);
    expect(store.state.soundTone).toBe('alarm');
    link.handlers.records([rec(2, acked(7))]);
    expect([store.state.sound, store.state.soundTone]).toEqual(['idle', undefined]);
  });

  it('asks the shell to notify of a new alarm, not of one caught up already acknowledged', async () => {
    const { link } = await loggedIn();
    link.handlers.hello(hello('J1'));
    link.handlers.records([rec(1, alarm(1)), rec(2, acked(1))]);
    expect(fake.notify).not.toHaveBeenCalled();
    link.handlers.records([rec(3, alarm(2))]);
    expect(fake.notify).toHaveBeenCalledTimes(1);
  });

  it('renders an alarm at once, but lets "shown" reports wait to be rendered together (a storm must not render twice per alarm)', async () => {
    const { store, link } = await loggedIn();
    link.handlers.hello(hello('J1'));
    link.handlers.records([rec(1, alarm(1))]);
    await new Promise((r) => setTimeout(r, 60)); // the renders of the login and the first alarm are out
    let renders = 0;
    store.subscribe(() => renders++);
    const shown = (seq: number, n: number): JournalRecord =>
      rec(seq, { type: 'incident.shown', at: T0 + 100 + n, incidentId: `20261130-000${n}`, operator: officer });

    link.handlers.records([shown(2, 1)]);
    expect(store.state.station.incidents.get('20261130-0001')?.shownAt).toBe(T0 + 101); // folded at once …
    await new Promise((r) => setTimeout(r, 40));
    expect(renders).toBe(0); // … rendered later
    await until('the calm render', () => renders === 1, 1000);

    await new Promise((r) => setTimeout(r, 60));
    link.handlers.records([shown(3, 1)]);
    link.handlers.records([rec(4, alarm(2))]);
    expect(renders).toBe(2); // the alarm did not wait for the calm render: it took the shown record with it
    await new Promise((r) => setTimeout(r, 250));
    expect(renders).toBe(2);
  });

  it('merges health changes into the table it holds', async () => {
    const { store, link } = await loggedIn();
    link.handlers.health([health('A', true), health('B', true), health('C', true)]);
    link.handlers.healthChanged({ changed: [health('B', false), health('D', true)], removed: ['A'] });
    expect(store.state.health.map((d) => [d.deviceId, d.online])).toEqual([
      ['B', false],
      ['C', true],
      ['D', true],
    ]);
  });
});
