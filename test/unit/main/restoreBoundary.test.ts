// test/unit/main — the restore boundary of the files the core reads (main/core/fileSchema.ts): a malformed file is
// refused or reported with the file and the field named, nothing is written over it, and a field this version
// does not know is kept and reported as a warning.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, ConfigError } from '../../../main/config';
import { FileFormatError } from '../../../main/core/fileSchema';
import { openJournal } from '../../../main/core/journal';
import { Registry } from '../../../main/core/registry';
import { Sessions } from '../../../main/core/sessions';
import { consoleSettings, dataFile, DATA_FILES } from '../../../main/core/settings';
import { DEFAULT_SEMESTERS } from '../../../shared/planBoard';
import { DEFAULT_UNIT_STALE_MS } from '../../../shared/limits';
import { STATION_TIME_ZONE } from '../../../shared/duty';
import { registryOf, school, stationRegistryData, useTempRoot } from '../../support/registryFixture';

const tmp = useTempRoot('restore-boundary-');
const secret = { salt: 'c2FsdA==', hash: 'aGFzaA==', n: 2048 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('registry.json', () => {
  it('refuses a malformed registry naming the file and the field, and leaves the file as it was', () => {
    const file = tmp.registryFile();
    const data = stationRegistryData(secret) as unknown as { schools: Record<string, unknown>[] };
    data.schools[1]!.lat = 'north';
    const text = JSON.stringify(data);
    fs.writeFileSync(file, text);
    let err: unknown;
    try {
      Registry.load(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).field).toBe('schools[1].lat');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain('schools[1].lat');
    expect((err as Error).message).toContain('"north"');
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('names a role that is not one of ROLES, and a reload keeps the data it had', () => {
    const file = tmp.registryFile();
    const good = registryOf({ schools: [school('s1')], operators: [{ username: 'wang', displayName: '王', role: 'officer', secret, disabled: false }] });
    const r = new Registry(good, file);
    r.save();
    const bad = JSON.parse(fs.readFileSync(file, 'utf8')) as { operators: { role: string }[] };
    bad.operators[0]!.role = 'root';
    fs.writeFileSync(file, JSON.stringify(bad));
    expect(() => r.reload()).toThrow(/operators\[0\]\.role/);
    expect(r.operator('wang')?.role).toBe('officer');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).operators[0].role).toBe('root');
  });

  it('keeps a field it does not know, warns once, and writes it back', () => {
    const file = tmp.registryFile();
    const data = { ...registryOf({ schools: [school('s1', { name: '一小' })] }), county: '隆化县' } as Record<string, unknown>;
    (data.schools as Record<string, unknown>[])[0]!.gateCount = 2;
    fs.writeFileSync(file, JSON.stringify(data));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const r = Registry.load(file);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/county.*schools\[0\]\.gateCount|schools\[0\]\.gateCount.*county/);
    expect(r.school('s1')?.name).toBe('一小');
    r.update((d) => {
      d.stationName = '改名';
    });
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved.county).toBe('隆化县');
    expect((saved.schools as Record<string, unknown>[])[0]!.gateCount).toBe(2);
  });

  it('reads a missing list as empty, as before', () => {
    const file = tmp.registryFile();
    fs.writeFileSync(file, JSON.stringify({ stationName: '示例', schools: [school('s1')] }));
    const r = Registry.load(file);
    expect(r.snapshot.terminals).toEqual([]);
    expect(r.snapshot.operators).toEqual([]);
  });
});

describe('sessions.json', () => {
  it('reports a malformed table with the file and the field, logs nobody in, and does not rewrite it', () => {
    const dir = tmp.fresh();
    const table = dataFile(dir, 'sessions');
    fs.writeFileSync(table, JSON.stringify({ version: 1, sessions: 'all' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const s = Sessions.open(dir, { idleMs: 60_000 });
    const message = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(message).toContain(table);
    expect(message).toContain('field sessions');
    expect(fs.readFileSync(table, 'utf8')).toBe(JSON.stringify({ version: 1, sessions: 'all' }));
    s.close(0);
  });

  it('ends only a malformed session, naming its field', () => {
    const dir = tmp.fresh();
    const table = dataFile(dir, 'sessions');
    const ok = { sid: 'a', username: 'wang', issuedAt: 1, lastSeen: 1, exp: Date.now() + 3600_000 };
    fs.writeFileSync(table, JSON.stringify({ version: 1, sessions: [ok, { ...ok, sid: 'b', exp: 'never' }] }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const s = Sessions.open(dir, { idleMs: 60_000 });
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/1 malformed session.*sessions\[1\]\.exp/);
    s.close(0);
  });
});

describe('the journal watermark', () => {
  it('reports a malformed watermark with the file and the field, and the journal opens', () => {
    const dir = tmp.fresh();
    openJournal(dir).close();
    const mark = path.join(dir, `${DATA_FILES.journal}.watermark`);
    const before = JSON.parse(fs.readFileSync(mark, 'utf8')) as { journalId: string };
    fs.writeFileSync(mark, JSON.stringify({ journalId: before.journalId, lastSeq: 'many' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const j = openJournal(dir);
    const message = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(message).toContain(mark);
    expect(message).toContain('field lastSeq');
    // The id it could read is kept: the journal is still the same journal.
    expect(j.journalId).toBe(before.journalId);
    j.close();
  });
});

describe('the environment (main/core/settings.ts)', () => {
  it('refuses a malformed variable naming it and its value', () => {
    const env = { STATION_UNIT_STALE_MS: '2min' };
    expect(() => loadConfig([], env, '/dist')).toThrow(ConfigError);
    expect(() => loadConfig([], env, '/dist')).toThrow('STATION_UNIT_STALE_MS must be a whole number of ms 1000–3600000, got "2min"');
    expect(() => loadConfig([], { STATION_HEARTBEAT_MS: '50' }, '/dist')).toThrow('STATION_HEARTBEAT_MS must be an integer ≥ 100, got "50"');
    expect(() => loadConfig([], { STATION_SESSION_IDLE_MIN: '0' }, '/dist')).toThrow(
      'STATION_SESSION_IDLE_MIN must be a whole number of minutes 1–1440, got "0"',
    );
    expect(() => loadConfig([], { STATION_TLS_CERT: 'c.pem' }, '/dist')).toThrow('set both STATION_TLS_CERT and STATION_TLS_KEY, or neither');
  });

  it('gives the consoles the configured stale limit and the station time zone', () => {
    const config = loadConfig([], { STATION_UNIT_STALE_MS: '45000' }, '/dist');
    expect(consoleSettings(config)).toEqual({ unitStaleMs: 45_000, timeZone: STATION_TIME_ZONE, semesters: DEFAULT_SEMESTERS });
    expect(consoleSettings(loadConfig([], {}, '/dist'))).toEqual({
      unitStaleMs: DEFAULT_UNIT_STALE_MS,
      timeZone: 'Asia/Shanghai',
      semesters: DEFAULT_SEMESTERS,
    });
  });

  it('gives the consoles the configured semesters of the plan board, and refuses nonsense', () => {
    expect(consoleSettings(loadConfig([], { STATION_SEMESTERS: 'spring=02-20..07-10;autumn=09-01..01-20' }, '/dist')).semesters).toEqual([
      { name: 'spring', from: { month: 2, day: 20 }, to: { month: 7, day: 10 } },
      { name: 'autumn', from: { month: 9, day: 1 }, to: { month: 1, day: 20 } },
    ]);
    for (const bad of ['spring', 'spring=02-30..07-10', 'x=03-01..07-15;x=09-01..01-15'])
      expect(() => loadConfig([], { STATION_SEMESTERS: bad }, '/dist')).toThrow(/^STATION_SEMESTERS: /);
  });

  it('gives the consoles the configured time a resolved incident stays in the live queue, and refuses nonsense', () => {
    expect(consoleSettings(loadConfig([], { STATION_RESOLVED_LINGER_MS: '3000' }, '/dist'))).toMatchObject({ resolvedLingerMs: 3000 });
    expect(consoleSettings(loadConfig([], {}, '/dist')).resolvedLingerMs).toBeUndefined();
    for (const bad of ['-1', '2min', '1.5', '86400001'])
      expect(() => loadConfig([], { STATION_RESOLVED_LINGER_MS: bad }, '/dist')).toThrow(/STATION_RESOLVED_LINGER_MS must be a whole number/);
  });
});
