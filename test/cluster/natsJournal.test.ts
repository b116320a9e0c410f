// test/ (Node, cluster tests) — the JetStream journal (main/cluster/natsJournal.ts) against a real three-server
// NATS cluster on loopback (natsCluster.ts): order and numbering, two writers at one position, message-id
// idempotency, hostile input, and a storm of appends from several writers while the stream's leader is SIGKILLed,
// then the killed server restarted and caught up. No mocks: every append goes through Raft on three processes.
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord, StationEvent } from '../../shared/events';
import { recordHash } from '../../main/core/journalRead';
import { alarmMessageId, natsMessageId, openNatsJournal, type AppendResult, type AsyncJournal, type NatsJournalOptions } from '../../main/cluster/natsJournal';
import { startNatsCluster, type NatsCluster } from './natsCluster';

let cluster: NatsCluster;
const opened: AsyncJournal[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster({ name: 'jt' });
});
afterAll(async () => {
  for (const j of opened) await j.close();
  await cluster?.stop();
});

const alarm = (deviceId: string, alarmId: string, at = 1_700_000_000_000): StationEvent => ({
  type: 'alarm.received',
  at,
  incidentId: `I-${alarmId}`.slice(0, 200),
  deviceId,
  schoolId: 'S1',
  alarmId,
  kind: 'panic',
  drill: false,
  raisedAt: at,
});

/** Opens a journal on the cluster, remembering every record its onRecord saw. */
async function open(stream: string, extra: Partial<NatsJournalOptions> = {}, rotate = 0): Promise<{ j: AsyncJournal; seen: JournalRecord[] }> {
  const seen: JournalRecord[] = [];
  const servers = [...cluster.urls.slice(rotate), ...cluster.urls.slice(0, rotate)];
  const j = await openNatsJournal({ servers, stream, onRecord: (r) => seen.push(r), ...extra });
  opened.push(j);
  return { j, seen };
}

const stored = (r: AppendResult): JournalRecord[] => {
  if (r.status !== 'stored') throw new Error(`expected stored, got ${JSON.stringify(r)}`);
  return r.records;
};

/** Hash chain and numbering of a run of records from seq 1. */
function checkChain(records: readonly JournalRecord[]): void {
  let prev = '';
  records.forEach((r, i) => {
    expect(r.seq).toBe(i + 1);
    expect(r.hash).toBe(recordHash(prev, r.seq, r.event));
    prev = r.hash!;
  });
}

const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

describe('the station journal on a JetStream stream (R3)', () => {
  it('appends and reads back in order; the record seq follows the stream seq, a batch is one message', async () => {
    const { j: a, seen } = await open('ORDER');
    for (let i = 1; i <= 3; i++) {
      const r = await a.append([alarm('D1', `A${i}`)]);
      expect(r).toMatchObject({ status: 'stored', streamSeq: i });
      expect(stored(r).map((x) => x.seq)).toEqual([i]);
    }
    // A command of two events: one message (stream seq 4), two records (4 and 5), all or nothing.
    const batch = await a.append([alarm('D1', 'A4'), alarm('D1', 'A5')]);
    expect(batch).toMatchObject({ status: 'stored', streamSeq: 4 });
    expect(stored(batch).map((x) => x.seq)).toEqual([4, 5]);
    expect(await a.append([alarm('D1', 'A6')])).toMatchObject({ status: 'stored', streamSeq: 5 });
    expect(a.lastSeq).toBe(6);
    expect(a.position.streamSeq).toBe(5);
    expect(seen.map((r) => (r.event as { alarmId: string }).alarmId)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6']);
    checkChain(seen);
    expect(a.problems).toEqual([]);

    // Another core opening the stream sees the same records, numbered the same, chain checked.
    const { j: b, seen: seenB } = await open('ORDER', {}, 1);
    expect(seenB).toEqual(seen);
    expect(b.problems).toEqual([]);
    const fromMemory: number[] = [];
    expect(await b.readFrom(2, (r) => fromMemory.push(r.seq))).toBe(6);
    expect(fromMemory).toEqual([3, 4, 5, 6]);

    // A window of one record: older records are read from the stream, a batch's message found by the offsets.
    const { j: c } = await open('ORDER', { window: 1 }, 2);
    for (const from of [0, 3, 4, 5]) {
      const got: JournalRecord[] = [];
      expect(await c.readFrom(from, (r) => got.push(r))).toBe(6);
      expect(got).toEqual(seen.slice(from));
    }

    // subscribe(): the stored records after fromSeq, then the new ones, each once.
    const sub: number[] = [];
    const unsubscribe = c.subscribe(4, (r) => sub.push(r.seq));
    await a.append([alarm('D1', 'A7')]);
    await c.catchUp();
    await expect.poll(() => sub).toEqual([5, 6, 7]);
    unsubscribe();
  });

  it('two writers at the same position: exactly one wins, the other gets a conflict, catches up and succeeds', async () => {
    const { j: a, seen: seenA } = await open('RACE');
    const { j: b, seen: seenB } = await open('RACE', {}, 1);
    await a.append([alarm('D1', 'first')]);
    await b.catchUp();
    for (let round = 0; round < 5; round++) {
      expect(a.lastSeq).toBe(b.lastSeq);
      const at = a.lastSeq;
      const [ra, rb] = await Promise.all([a.append([alarm('DA', `r${round}`)]), b.append([alarm('DB', `r${round}`)])]);
      const results = [ra, rb];
      expect(results.filter((r) => r.status === 'stored')).toHaveLength(1);
      const loser = ra.status === 'conflict' ? { j: a, r: ra, dev: 'DA' } : { j: b, r: rb, dev: 'DB' };
      expect(loser.r).toEqual({ status: 'conflict', lastSeq: at + 1 });
      // The loser's onRecord has seen the winner's record: it re-checks and appends again from there.
      expect(loser.j.lastSeq).toBe(at + 1);
      expect(await loser.j.append([alarm(loser.dev, `r${round}`)], { expectedLastSeq: at + 1 })).toMatchObject({ status: 'stored' });
      await a.catchUp();
      await b.catchUp();
    }
    // A caller whose folded position is stale is refused at once.
    expect(await a.append([alarm('DA', 'stale')], { expectedLastSeq: 1 })).toEqual({ status: 'conflict', lastSeq: a.lastSeq });
    expect(seenA).toEqual(seenB);
    expect(seenA).toHaveLength(11);
    checkChain(seenA);
  });

  it('a repeated message id is not stored twice, from the same writer or another', async () => {
    const { j: a } = await open('IDEM');
    const { j: b } = await open('IDEM', {}, 2);
    const id = alarmMessageId('D7', 'press-1');
    expect(id).toBe('alarm:D7:press-1');
    const first = await a.append([alarm('D7', 'press-1')], { msgId: id });
    expect(first).toMatchObject({ status: 'stored', streamSeq: 1 });
    const again = await a.append([alarm('D7', 'press-1')], { msgId: id });
    expect(again).toEqual({ status: 'duplicate', streamSeq: 1, records: stored(first) });
    await b.catchUp();
    expect(await b.append([alarm('D7', 'press-1')], { msgId: id })).toMatchObject({ status: 'duplicate', streamSeq: 1 });
    expect(a.lastSeq).toBe(1);
    expect(b.lastSeq).toBe(1);
  });

  it('hostile input never throws out of the journal and never poisons the log', async () => {
    const { j: a, seen } = await open('HOSTILE');
    // Ids that are keys of Object.prototype, hold NUL or CR LF, or are very long: safe message ids, each its own.
    const ids = ['__proto__', 'constructor', 'a\u0000b', 'x\r\nNats-Msg-Id: evil', 'z'.repeat(100_000), 'alarm:a:b'];
    const msgIds = ids.map(natsMessageId);
    expect(new Set(msgIds).size).toBe(ids.length);
    for (const m of msgIds) expect(m).toMatch(/^[A-Za-z0-9:._#-]{1,120}$/);
    expect(alarmMessageId('a:b', 'c')).not.toBe(alarmMessageId('a', 'b:c'));
    expect(natsMessageId({ toString: null })).toMatch(/^#/);

    const r1 = await a.append([alarm('__proto__', '__proto__')], { msgId: alarmMessageId('__proto__', '\u0000'.repeat(3)) });
    expect(r1.status).toBe('stored');
    expect(await a.append([alarm('__proto__', '__proto__')], { msgId: alarmMessageId('__proto__', '\u0000'.repeat(3)) })).toMatchObject({
      status: 'duplicate',
    });
    expect(await a.append([alarm('D1', 'x')], { msgId: 'y'.repeat(1_000_000) })).toMatchObject({ status: 'stored' });

    // Refused before anything is sent: a control character in an id, too large, not serialisable, nothing at all.
    expect(await a.append([alarm('a\u0000b', 'x')])).toMatchObject({ status: 'failed', maybeStored: false });
    expect(await a.append([{ ...alarm('D1', 'big'), note: 'n'.repeat(2_000_000) } as StationEvent])).toMatchObject({ status: 'failed' });
    expect(await a.append([{ ...alarm('D1', 'big'), note: 10n } as unknown as StationEvent])).toMatchObject({ status: 'failed' });
    expect(await a.append([])).toMatchObject({ status: 'failed' });
    expect(await a.append(null as unknown as StationEvent[])).toMatchObject({ status: 'failed' });
    const protoEvent = JSON.parse('{"type":"alarm.received","__proto__":{"polluted":1},"at":1}') as StationEvent;
    expect(await a.append([protoEvent])).toMatchObject({ status: 'failed' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Garbage written to the subject by someone else: a placeholder record and a problem, the numbering goes on.
    const nc = await connect({ servers: cluster.urls });
    const js = jetstream(nc);
    const before = a.lastSeq;
    await js.publish('HOSTILE.journal', 'not json at all', { expect: { lastSequence: a.position.streamSeq } });
    await js.publish('HOSTILE.journal', '[{"seq":99,"__proto__":{"x":1},"event":{"type":"nope"}}]');
    await nc.close();
    await a.catchUp();
    expect(a.lastSeq).toBe(before + 2);
    expect(seen.slice(before).map((r) => r.event.type)).toEqual(['journal.unreadable', 'journal.unreadable']);
    expect(a.problems.map((p) => p.kind)).toEqual(['bad_record', 'bad_record']);
    // The log stays writable, and a core opening it reads the same (placeholders included).
    expect(await a.append([alarm('D1', 'after')])).toMatchObject({ status: 'stored' });
    const { seen: seenB, j: b } = await open('HOSTILE', {}, 1);
    expect(seenB).toEqual(seen);
    expect(b.problems.map((p) => p.kind)).toEqual(['bad_record', 'bad_record']);
  });

  it('a storm of appends from several writers while the stream leader is SIGKILLed: acked = present, no duplicate; the server restarted catches up', async () => {
    const WRITERS = 5;
    const PER_WRITER = 120; // 600 appends in all
    const KILL_AFTER = 200; // acknowledged appends before the kill
    const stream = 'STORM';
    const writers: AsyncJournal[] = [];
    for (let w = 0; w < WRITERS; w++) writers.push((await open(stream, { appendTimeoutMs: 60_000 }, w % 3)).j);
    const nc = await connect({ servers: cluster.urls });
    const jsm = await jetstreamManager(nc);
    const quick = await jetstreamManager(nc, { timeout: 500 });

    // A baseline: one writer alone, no contention (its own stream, so the storm's log holds only the storm).
    const BASELINE = 200;
    const { j: solo } = await open('SOLO');
    const baseline: number[] = [];
    for (let i = 0; i < BASELINE; i++) {
      const t = performance.now();
      stored(await solo.append([alarm('SOLO', `b${i}`)]));
      baseline.push(performance.now() - t);
    }

    let acked = 0;
    let sent = 0;
    let conflicts = 0;
    const statuses = { stored: 0, duplicate: 0 };
    let electedAfter = NaN;
    let retriesAfterFailure = 0;
    let killedAt = Infinity;
    let killedIndex = -1;
    const ackTimes: number[] = [];
    const ackedKeys = new Set<string>();
    const latency = { before: [] as number[], during: [] as number[] };
    let killing: Promise<void> | undefined;

    const killLeader = async (): Promise<void> => {
      const info = await jsm.streams.info(stream);
      killedIndex = cluster.nodes.findIndex((n) => n.name === info.cluster?.leader);
      expect(killedIndex).toBeGreaterThanOrEqual(0);
      const leader = info.cluster?.leader;
      await cluster.kill(killedIndex);
      killedAt = performance.now(); // the process is gone
      // How long the servers take to elect a new leader for the stream (Raft), apart from what the clients add.
      for (let tries = 0; tries < 600; tries++) {
        const now = await quick.streams.info(stream).catch(() => undefined);
        if (now?.cluster?.leader && now.cluster.leader !== leader) {
          electedAfter = performance.now() - killedAt;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const run = async (w: number): Promise<void> => {
      const j = writers[w]!;
      for (let i = 0; i < PER_WRITER; i++) {
        const key = `W${w}:${i}`;
        const event = alarm(`W${w}`, `a${i}`, Date.now());
        const msgId = alarmMessageId(`W${w}`, `a${i}`);
        const started = performance.now();
        sent++;
        for (;;) {
          const r = await j.append([event], { msgId });
          if (r.status === 'stored' || r.status === 'duplicate') {
            statuses[r.status]++;
            break;
          }
          if (r.status === 'conflict') conflicts++;
          else retriesAfterFailure++; // failed: try again with the same id (stored at most once)
        }
        const ended = performance.now();
        ackedKeys.add(key);
        acked++;
        (ended < killedAt ? latency.before : latency.during).push(ended - started);
        ackTimes.push(ended);
        if (acked === KILL_AFTER) killing = killLeader();
      }
    };
    const t0 = performance.now();
    await Promise.all(writers.map((_, w) => run(w)));
    await killing;
    const stormMs = performance.now() - t0;
    // The longest time without any acknowledgement, from the kill on: what the failover cost the writers.
    const afterKill = [killedAt, ...ackTimes.filter((t) => t >= killedAt).sort((x, y) => x - y)];
    const stall = Math.max(0, ...afterKill.slice(1).map((t, i) => t - afterKill[i]!));
    const phase: string[] = [];
    let mark = performance.now();
    const lap = (what: string): void => {
      const now = performance.now();
      phase.push(`${what} ${(now - mark).toFixed(0)} ms`);
      mark = now;
    };

    // Everything as a core opening the stream now reads it (connected to a surviving server first).
    const survivor = [0, 1, 2].find((i) => i !== killedIndex)!;
    const { j: reader, seen } = await open(stream, {}, survivor);
    const counts = new Map<string, number>();
    for (const r of seen) {
      if (r.event.type !== 'alarm.received') continue;
      const key = `${r.event.deviceId}:${r.event.alarmId.slice(1)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const present = counts.size;
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    const lost = [...ackedKeys].filter((k) => !counts.has(k)).length;
    checkChain(seen);
    lap('a new reader opened and read the stream');

    // (e) The killed server comes back and catches up: its replica is current with no lag.
    const restartT = performance.now();
    await cluster.restart(killedIndex);
    const name = cluster.nodes[killedIndex]!.name;
    let caughtUpMs = NaN;
    for (let tries = 0; tries < 300; tries++) {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      const replica = info?.cluster?.replicas?.find((p) => p.name === name);
      const leaderIsIt = info?.cluster?.leader === name;
      if (info && (leaderIsIt || (replica?.current && (replica.lag ?? 0) === 0))) {
        caughtUpMs = performance.now() - restartT;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    lap('restarted and current');
    // And it serves: a journal connected only to it reads the whole stream, the same records.
    const { j: onRestarted, seen: seenRestarted } = await openNatsJournal({ servers: [cluster.nodes[killedIndex]!.url], stream })
      .then((j) => {
        opened.push(j);
        return { j, seen: [] as JournalRecord[] };
      })
      .then(async ({ j, seen: s }) => {
        await j.readFrom(0, (r) => s.push(r));
        return { j, seen: s };
      });
    lap('read through the restarted server alone');
    await nc.close();

    const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '—');
    console.log(
      [
        `storm: ${WRITERS} writers × ${PER_WRITER} appends, R3 on 3 nats-server 2.9 on loopback, leader ${cluster.nodes[killedIndex]!.name} SIGKILLed after ${KILL_AFTER} acks`,
        `  sent ${sent}  acked ${acked}  present ${present}  duplicated ${duplicated}  lost ${lost}`,
        `  answers: stored ${statuses.stored}, duplicate ${statuses.duplicate}; conflicts retried ${conflicts}, failed appends retried ${retriesAfterFailure}`,
        `  single writer before the storm: ${BASELINE} serial appends p50 ${fmt(percentile(baseline, 50))} p99 ${fmt(percentile(baseline, 99))} ms`,
        `  storm ${fmt(stormMs)} ms (${fmt((acked / stormMs) * 1000)} appends/s); log: ${reader.lastSeq} records`,
        `  append ms before the kill: n ${latency.before.length} p50 ${fmt(percentile(latency.before, 50))} p99 ${fmt(percentile(latency.before, 99))} max ${fmt(Math.max(...latency.before))}`,
        `  append ms after the kill:  n ${latency.during.length} p50 ${fmt(percentile(latency.during, 50))} p99 ${fmt(percentile(latency.during, 99))} max ${fmt(Math.max(...latency.during))}`,
        `  longest time without an acknowledgement after the kill: ${fmt(stall)} ms (new stream leader elected ${fmt(electedAfter)} ms after the kill)`,
        `  restarted ${name}: current after ${fmt(caughtUpMs)} ms; reads ${seenRestarted.length} records through it alone`,
        `  after the storm: ${phase.join('; ')}`,
      ].join('\n'),
    );

    expect(sent).toBe(WRITERS * PER_WRITER);
    expect(acked).toBe(sent);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(present).toBe(acked);
    expect(reader.problems).toEqual([]);
    expect(latency.during.length).toBeGreaterThan(0);
    expect(Number.isFinite(caughtUpMs)).toBe(true);
    expect(seenRestarted).toEqual(seen);
    expect(onRestarted.lastSeq).toBe(reader.lastSeq);
  });
});
