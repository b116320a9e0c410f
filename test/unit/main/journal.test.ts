// test/unit/main — the append-only journal on a real file: durability, reopen, torn tails and bad lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, recordHash, scanJournal, type Journal } from '../../../main/core/journal';
import type { JournalRecord, StationEvent } from '../../../shared/events';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);

const alarm = (n: number): StationEvent => ({
  type: 'alarm.received',
  at: T0 + n,
  incidentId: `20261130-${String(n).padStart(4, '0')}`,
  deviceId: 'dev-1',
  schoolId: 'school-1',
  alarmId: `a${n}`,
  kind: 'panic',
  drill: false,
  note: `第${n}号报警`,
  raisedAt: T0 + n - 100,
});

/** Journal lines as the journal writes them: each hash chained to the line before. */
function chained(...recs: [number, StationEvent][]): string[] {
  let prev = '';
  return recs.map(([seq, event]) => {
    const hash = recordHash(prev, seq, event);
    prev = hash;
    return JSON.stringify({ seq, event, hash });
  });
}
const firstLine = (event: StationEvent): string => chained([1, event])[0]!;

let dir: string;
let file: string;
const open: Journal[] = [];
/** Opens and remembers the journal so afterEach can close it. */
const openJ = (): Journal => {
  const j = openJournal(dir);
  open.push(j);
  return j;
};
const fileLines = (): string[] => fs.readFileSync(file, 'utf8').split('\n');
const tornFiles = (): string[] => fs.readdirSync(dir).filter((f) => f.startsWith('journal.jsonl.torn-'));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-test-'));
  file = path.join(dir, 'journal.jsonl');
});
afterEach(() => {
  for (const j of open.splice(0)) j.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openJournal', () => {
  it('starts empty in a new folder and creates the file', () => {
    const j = openJ();
    expect(j.records).toEqual([]);
    expect(j.problems).toEqual([]);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('creates a missing data folder', () => {
    const nested = path.join(dir, 'a', 'b');
    const j = openJournal(nested);
    open.push(j);
    j.append(alarm(1));
    expect(fs.existsSync(path.join(nested, 'journal.jsonl'))).toBe(true);
  });

  it('numbers records 1..n and gives the same records back after a reopen', () => {
    const j = openJ();
    const written: JournalRecord[] = [];
    for (let n = 1; n <= 5; n++) written.push(j.append(alarm(n)));
    expect(written.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(written[2]!.event).toEqual(alarm(3));
    expect(j.records).toEqual(written);
    j.close();

    const again = openJ();
    expect(again.problems).toEqual([]);
    expect(again.records).toEqual(written);
    expect(again.append(alarm(6)).seq).toBe(6);
  });

  it('has each record on disk, as one complete line, before append returns', () => {
    const j = openJ();
    for (let n = 1; n <= 3; n++) {
      const r = j.append(alarm(n));
      const text = fs.readFileSync(file, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.split('\n').slice(0, -1);
      expect(lines).toHaveLength(n);
      expect(JSON.parse(lines[n - 1]!)).toEqual(r);
    }
    // A second reader sees the same records while the writer is still open.
    const reader = openJournal(dir);
    open.push(reader);
    expect(reader.records.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('opens an empty existing file without problems', () => {
    fs.writeFileSync(file, '');
    const j = openJ();
    expect(j.records).toEqual([]);
    expect(j.problems).toEqual([]);
    expect(j.append(alarm(1)).seq).toBe(1);
    expect(fileLines()).toEqual([firstLine(alarm(1)), '']);
  });

  it('skips blank lines without calling them problems', () => {
    const [r1, r2] = chained([1, alarm(1)], [2, alarm(2)]);
    fs.writeFileSync(file, `${r1}\n\n${r2}\n`);
    const j = openJ();
    expect(j.problems).toEqual([]);
    expect(j.records.map((r) => r.seq)).toEqual([1, 2]);
  });

  describe('a torn tail (crash in the middle of a write)', () => {
    function writeThreeAndTear(fragment: string): void {
      const j = openJ();
      for (let n = 1; n <= 3; n++) j.append(alarm(n));
      j.close();
      fs.appendFileSync(file, fragment);
    }

    it('is reported once, keeps the complete records, saves the fragment and leaves clean JSONL behind', () => {
      const full = JSON.stringify({ seq: 4, event: alarm(4) });
      const fragment = full.slice(0, Math.floor(full.length / 2));
      writeThreeAndTear(fragment);

      const j = openJ();
      expect(j.problems).toHaveLength(1);
      expect(j.problems[0]).toMatchObject({ kind: 'torn_tail', line: 4 });
      expect(j.records.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(j.records[2]!.event).toEqual(alarm(3));

      const torn = tornFiles();
      expect(torn).toHaveLength(1);
      expect(fs.readFileSync(path.join(dir, torn[0]!), 'utf8')).toBe(fragment);

      // The next append continues the sequence on a clean line.
      const r = j.append(alarm(5));
      expect(r.seq).toBe(4);
      const lines = fileLines();
      expect(lines.at(-1)).toBe('');
      const body = lines.slice(0, -1);
      expect(body).toHaveLength(4);
      for (const line of body) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(JSON.parse(body[3]!)).toEqual(r);
      j.close();

      const third = openJ();
      expect(third.problems).toEqual([]);
      expect(third.records.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
      expect(third.records[3]!.event).toEqual(alarm(5));
      expect(tornFiles()).toHaveLength(1);
    });

    it('cuts off the fragment even with multi-byte characters in the file', () => {
      // Byte offsets, not string offsets, must be used to cut: the records hold Chinese notes.
      writeThreeAndTear('{"seq":4,"event":{"type":"alarm.received","note":"第四');
      const j = openJ();
      expect(j.problems.map((p) => p.kind)).toEqual(['torn_tail']);
      j.append(alarm(9));
      j.close();
      const again = openJ();
      expect(again.problems).toEqual([]);
      expect(again.records.map((r) => [r.seq, r.event.type === 'alarm.received' ? r.event.note : ''])).toEqual([
        [1, '第1号报警'],
        [2, '第2号报警'],
        [3, '第3号报警'],
        [4, '第9号报警'],
      ]);
    });

    it('treats a complete record without its newline as torn (it was never acknowledged as durable)', () => {
      writeThreeAndTear(JSON.stringify({ seq: 4, event: alarm(4) }));
      const j = openJ();
      expect(j.problems.map((p) => p.kind)).toEqual(['torn_tail']);
      expect(j.records).toHaveLength(3);
      expect(j.append(alarm(4)).seq).toBe(4);
    });

    it('handles a file that is nothing but a fragment', () => {
      fs.writeFileSync(file, '{"seq":1,"ev');
      const j = openJ();
      expect(j.problems.map((p) => p.kind)).toEqual(['torn_tail']);
      expect(j.records).toEqual([]);
      expect(j.append(alarm(1)).seq).toBe(1);
      expect(fileLines()).toEqual([firstLine(alarm(1)), '']);
    });
  });

  describe('a corrupt line in the middle', () => {
    it('is reported as bad_record, the other records are kept, and the journal stays usable', () => {
      const j = openJ();
      for (let n = 1; n <= 3; n++) j.append(alarm(n));
      j.close();
      const lines = fileLines();
      lines[1] = '{"seq":2,"event":{"type":"alarm.rec%%%garbage';
      fs.writeFileSync(file, lines.join('\n'));

      const again = openJ();
      // The unreadable line and the broken hash chain: reported, none fatal. The unreadable record's place is
      // kept by a placeholder, so the numbering has no gap and consoles following the journal never stall.
      expect(again.problems.map((p) => [p.kind, p.line])).toEqual([
        ['bad_record', 2],
        ['chain_broken', 3],
      ]);
      expect(again.problems[0]!.detail).toContain('not JSON');
      expect(again.records.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(again.records[1]!.event).toMatchObject({ type: 'journal.unreadable', line: 2 });
      expect(again.records[2]!.event).toEqual(alarm(3));
      expect(again.append(alarm(4)).seq).toBe(4);
      expect(tornFiles()).toEqual([]);
    });

    it('reports JSON that is not a journal record', () => {
      const [r1, r2] = chained([1, alarm(1)], [2, alarm(2)]);
      fs.writeFileSync(file, `${r1}\n{"hello":"world"}\n[1,2]\n${r2}\n`);
      const j = openJ();
      expect(j.problems.map((p) => [p.kind, p.line])).toEqual([
        ['bad_record', 2],
        ['bad_record', 3],
      ]);
      expect(j.records.map((r) => r.seq)).toEqual([1, 2]);
    });

    it('reports a sequence that goes backwards and drops the stale record', () => {
      fs.writeFileSync(file, `${chained([1, alarm(1)], [2, alarm(2)], [2, alarm(7)], [3, alarm(3)]).join('\n')}\n`);
      const j = openJ();
      expect(j.problems.map((p) => [p.kind, p.line])).toEqual([['bad_record', 3]]);
      expect(j.records.map((r) => r.event)).toEqual([alarm(1), alarm(2), alarm(3)]);
      expect(j.append(alarm(4)).seq).toBe(4);
    });
  });

  it('refuses to append after close, and writes nothing', () => {
    const j = openJ();
    j.append(alarm(1));
    j.close();
    const before = fs.readFileSync(file, 'utf8');
    expect(() => j.append(alarm(2))).toThrow(/closed/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(j.records).toHaveLength(1);
    expect(() => j.close()).not.toThrow();
  });

  it('uses the given file name', () => {
    const j = openJournal(dir, 'other.jsonl');
    open.push(j);
    j.append(alarm(1));
    expect(fs.existsSync(path.join(dir, 'other.jsonl'))).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('the hash chain', () => {
  const write3 = (): string[] => {
    const j = openJ();
    for (let n = 1; n <= 3; n++) j.append(alarm(n));
    j.close();
    return fileLines();
  };

  it('an intact journal has no problems, and every record carries its chained hash', () => {
    const lines = write3();
    expect(lines.slice(0, 3)).toEqual(chained([1, alarm(1)], [2, alarm(2)], [3, alarm(3)]));
    expect(scanJournal(fs.readFileSync(file, 'utf8')).problems).toEqual([]);
  });

  it('an edited record is named as the first bad one, and is still read (nothing is lost)', () => {
    const lines = write3();
    lines[1] = lines[1]!.replace('第2号报警', '第2号报警（已改）');
    fs.writeFileSync(file, lines.join('\n'));
    const scan = scanJournal(fs.readFileSync(file, 'utf8'));
    expect(scan.problems.map((p) => [p.kind, p.line])).toEqual([['chain_broken', 2]]);
    expect(scan.records).toHaveLength(3);
    const j = openJ();
    expect(j.problems.map((p) => p.kind)).toEqual(['chain_broken']);
  });

  it('a removed record breaks the chain at the record after it', () => {
    const lines = write3();
    fs.writeFileSync(file, [lines[0], lines[2], ''].join('\n'));
    const kinds = scanJournal(fs.readFileSync(file, 'utf8')).problems.map((p) => [p.kind, p.line]);
    expect(kinds[0]).toEqual(['chain_broken', 2]);
  });

  it('scanJournal changes nothing on disk, even with a torn tail', () => {
    write3();
    fs.appendFileSync(file, '{"seq":4,"ev');
    const before = fs.readFileSync(file);
    expect(scanJournal(before.toString('utf8')).problems.map((p) => p.kind)).toEqual(['torn_tail']);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});

describe('the hash chain checked in the background, in slices (the core at start)', () => {
  const write = (n: number): string[] => {
    const j = openJournal(dir);
    for (let i = 1; i <= n; i++) j.append(alarm(i));
    j.close();
    return fileLines();
  };

  it('an intact journal: no problem, and the records are read as with an inline check', async () => {
    write(5);
    const seen: number[] = [];
    const j = openJournal(dir, { verifyChain: 'background', onRecord: (r) => seen.push(r.seq) });
    open.push(j);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(await j.chainChecked).toBeUndefined();
    expect(j.problems).toEqual([]);
    expect(j.append(alarm(6)).seq).toBe(6);
  });

  it('finds the same first break as scanJournal (edited, removed, inserted records), and adds it to the problems', async () => {
    const lines = write(6);
    const cases: string[][] = [
      lines.map((l, i) => (i === 2 ? l.replace('第3号报警', '第3号报警（已改）') : l)),
      [...lines.slice(0, 3), ...lines.slice(4)],
      [...lines.slice(0, 2), chained([1, alarm(99)])[0]!, ...lines.slice(2)],
    ];
    for (const c of cases) {
      fs.writeFileSync(file, c.join('\n'));
      const inline = scanJournal(c.join('\n')).problems.find((p) => p.kind === 'chain_broken');
      expect(inline).toBeDefined();
      const j = openJournal(dir, { verifyChain: 'background' });
      const found = await j.chainChecked;
      j.close();
      expect(found).toEqual(inline);
      expect(j.problems).toContainEqual(inline);
    }
  });
});
