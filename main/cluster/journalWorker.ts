// main/ (core, Node worker thread; cluster mode only) — holds the core's connection to the NATS JetStream cluster
// (main/cluster/natsJournal.ts) so that the core can append synchronously, as it does to its file journal: the core
// posts an append and waits (Atomics.wait) until the quorum of servers has stored it, the way it waits for fsync.
// Also keeps the leader lease (main/cluster/clusterJournal.ts says why there is one leader). Every record of the
// stream is posted to the core as it is read (the standby folds them; the leader checks that they are its own), on
// the news port, in order, before any answer that follows from it.
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JournalRecord, StationEvent } from '../../shared/events';
import type { JournalProblem } from '../core/journalRead';
import type { NatsAuth } from './natsAuth';
import { natsConnectOptions, openNatsJournal, type AsyncJournal } from './natsJournal';

export interface WorkerInit {
  servers: string[];
  auth: NatsAuth;
  stream: string;
  replicas: number;
  /** Int32Array over it: [0] is set to 1 and notified when a reply is on `replies`. */
  signal: SharedArrayBuffer;
  replies: MessagePort;
  /** WorkerNews, as they happen. */
  news: MessagePort;
  /** The core's name in the lease and in the servers' connection lists. */
  name: string;
  leaseTtlMs: number;
  attemptTimeoutMs: number;
  appendTimeoutMs: number;
}

/** Appends are answered on `replies` (the core waits for them); a catch-up on the news port (the core does not wait). */
export type WorkerRequest =
  { id: number; op: 'append'; events: StationEvent[]; expectedLastSeq: number; msgId?: string } | { id: number; op: 'catchUp' } | { id: number; op: 'close' };

export type WorkerReply =
  | { id: number; ok: true; records: JournalRecord[]; lastSeq: number }
  | {
      id: number;
      ok: false;
      /** Another writer's records follow this core's position: it must not write again. */
      conflict?: boolean;
      /** May have been stored: the core must read the log before it writes again. */
      maybeStored?: boolean;
      /** Refused before anything was sent: the lease is not certain now. */
      leaseLapsing?: boolean;
      message: string;
      lastSeq: number;
    };

/** Asynchronous news for the core: records as read, the lease won or lost, catch-ups, problems, a failure. */
export type WorkerNews =
  | { type: 'open'; journalId: string; lastSeq: number }
  | { type: 'records'; records: JournalRecord[] }
  | { type: 'lease'; held: boolean; holder?: string }
  /** The answer to a catch-up: `lastSeq` when the stream's end was reached, undefined when that is not known. */
  | { type: 'caughtUp'; id: number; lastSeq: number | undefined }
  | { type: 'problems'; problems: JournalProblem[] }
  | { type: 'failed'; message: string };

const LEASE_SUBJECT = (stream: string): string => `${stream}_LEASE.leader`;
/** A leader writes only while its lease was renewed within this share of its time to live. */
const LEASE_SURE = 0.8;

async function main(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  const signal = new Int32Array(init.signal);
  const news = (n: WorkerNews): void => init.news.postMessage(n);
  // Each record at once, before the answer to the append that wrote it: the core never has an answer before a record.
  const onRecord = (r: JournalRecord): void => news({ type: 'records', records: [r] });
  const options: ConnectionOptions = {
    ...natsConnectOptions(init.auth),
    servers: init.servers,
    name: init.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 2_000,
    maxPingOut: 2,
  };
  const nc: NatsConnection = await connect(options);
  const journal: AsyncJournal = await openNatsJournal({
    connection: nc,
    stream: init.stream,
    replicas: init.replicas,
    onRecord,
    attemptTimeoutMs: init.attemptTimeoutMs,
    appendTimeoutMs: init.appendTimeoutMs,
    name: init.name,
  });
  news({ type: 'open', journalId: journal.journalId, lastSeq: journal.lastSeq });
  // Problems the journal finds (a broken chain, an unreadable message) reach the core's consoles.
  let problemsSent = 0;
  const sendProblems = (): void => {
    if (journal.problems.length === problemsSent) return;
    news({ type: 'problems', problems: journal.problems.slice(problemsSent) });
    problemsSent = journal.problems.length;
  };
  sendProblems();
  const problemTimer = setInterval(sendProblems, 1_000);

  // ---- the leader lease: one message on a subject of its own stream, gone after leaseTtlMs unless renewed ----
  const jsm = await jetstreamManager(nc, { timeout: 5_000 });
  const leaseStream = `${init.stream}_LEASE`;
  const subject = LEASE_SUBJECT(init.stream);
  if (!(await jsm.streams.info(leaseStream).catch(() => undefined))) {
    await jsm.streams
      .add({
        name: leaseStream,
        subjects: [subject],
        num_replicas: init.replicas,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_msgs_per_subject: 1,
        max_age: init.leaseTtlMs * 1_000_000,
        duplicate_window: Math.min(init.leaseTtlMs, 1_000) * 1_000_000,
      })
      .catch((e: unknown) => console.warn(`cluster: creating the lease stream: ${(e as Error).message} (another core may have made it)`));
  }
  const js = jetstream(nc, { timeout: 2_000 });
  // This process's own mark in the lease message: a renewal whose answer was lost is recognised as ours.
  const token = `${init.name}#${crypto.randomBytes(8).toString('hex')}`;
  const body = new TextEncoder().encode(token);
  let held = false;
  let mySeq = 0;
  /** performance.now() when the lease was last taken or renewed (asked for: the servers' age of it starts no earlier). */
  let lastRenewed = -Infinity;
  let stopped = false;
  const lose = (holder: string): void => {
    if (!held) return;
    held = false;
    news({ type: 'lease', held: false, holder });
  };
  const renewOnce = async (): Promise<void> => {
    const asked = performance.now();
    try {
      const ack = await js.publish(subject, body, { expect: { lastSubjectSequence: held ? mySeq : 0 } });
      mySeq = ack.seq;
      lastRenewed = asked;
      if (!held) news({ type: 'lease', held: true });
      held = true;
    } catch (e) {
      if (/wrong last sequence/i.test((e as Error).message)) {
        // Ours after all (the answer to our last renewal was lost), or another core's?
        const m = await jsm.streams.getMessage(leaseStream, { last_by_subj: subject }).catch(() => undefined);
        if (m && new TextDecoder().decode(m.data) === token) {
          mySeq = m.seq;
          lastRenewed = asked;
          return;
        }
        if (m) return lose(new TextDecoder().decode(m.data).split('#')[0] ?? 'another core');
      }
      // No answer: a leader cut off from the servers for longer than the lease is no leader (another may be by now).
      if (held && performance.now() - lastRenewed > init.leaseTtlMs) lose('nobody known (the servers did not answer)');
    }
  };
  // One renewal at a time, every third of the time to live (a slow one is not overtaken by the next).
  const renewals = (async () => {
    while (!stopped) {
      const t = performance.now();
      await renewOnce();
      const wait = init.leaseTtlMs / 3 - (performance.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();

  const reply = (r: WorkerReply): void => {
    init.replies.postMessage(r);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  const sameEvents = (records: readonly JournalRecord[], events: readonly StationEvent[]): boolean =>
    records.length === events.length && JSON.stringify(records.map((r) => r.event)) === JSON.stringify(events);

  port.on('message', (req: WorkerRequest) => {
    void (async () => {
      try {
        if (req.op === 'append') {
          // A leader whose lease is not certain (lost, or not renewed for most of its time to live: a NATS server lost)
          // does not write: another core may be taking over. Refused, nothing sent; the terminal retries.
          const sure = lastRenewed + init.leaseTtlMs * LEASE_SURE - performance.now();
          if (!held || sure <= 0) {
            const why = held ? `the lease was not renewed for ${Math.round(performance.now() - lastRenewed)} ms` : 'this core does not hold the lease';
            return reply({ id: req.id, ok: false, leaseLapsing: true, message: why, lastSeq: journal.lastSeq });
          }
          // Retried no longer than the lease is sure, so nothing lands after another core could have taken over.
          const r = await journal.append(req.events, {
            expectedLastSeq: req.expectedLastSeq,
            timeoutMs: Math.max(100, Math.min(init.appendTimeoutMs, sure)),
            ...(req.msgId ? { msgId: req.msgId } : {}),
          });
          if (r.status === 'stored') return reply({ id: req.id, ok: true, records: r.records, lastSeq: journal.lastSeq });
          if (r.status === 'duplicate') {
            // The message id is in the stream already. Ours (an earlier attempt of this very append) only if it holds
            // these very events; anything else is another writer's: the core must not go on as if it had written it.
            if (r.records && sameEvents(r.records, req.events)) return reply({ id: req.id, ok: true, records: r.records, lastSeq: journal.lastSeq });
            if (r.records)
              return reply({
                id: req.id,
                ok: false,
                conflict: true,
                message: `message ${r.streamSeq} has this id with other events`,
                lastSeq: journal.lastSeq,
              });
            return reply({
              id: req.id,
              ok: false,
              maybeStored: true,
              message: `stored before as message ${r.streamSeq}, not read yet`,
              lastSeq: journal.lastSeq,
            });
          }
          if (r.status === 'conflict') return reply({ id: req.id, ok: false, conflict: true, message: 'another writer appended first', lastSeq: r.lastSeq });
          return reply({ id: req.id, ok: false, maybeStored: r.maybeStored, message: r.message, lastSeq: journal.lastSeq });
        }
        if (req.op === 'catchUp') {
          // Every record read is posted before this answer, on the same port: the core has them when it reads it.
          const last = await journal.catchUpToEnd(5_000);
          return news({ type: 'caughtUp', id: req.id, lastSeq: last });
        }
        stopped = true;
        clearInterval(problemTimer);
        await renewals.catch(() => undefined);
        // A core that stops on purpose hands the lease on at once (not after it ages out): the standby leads sooner.
        if (held) await jsm.streams.deleteMessage(leaseStream, mySeq, false).catch(() => undefined);
        await journal.close().catch(() => undefined);
        await nc.close().catch(() => undefined);
        reply({ id: req.id, ok: true, records: [], lastSeq: journal.lastSeq });
        process.exit(0);
      } catch (e) {
        if (req.op === 'catchUp') return news({ type: 'caughtUp', id: req.id, lastSeq: undefined });
        reply({ id: req.id, ok: false, maybeStored: req.op === 'append', message: (e as Error).message, lastSeq: journal.lastSeq });
      }
    })();
  });
}

main(workerData as WorkerInit).catch((e: unknown) => {
  (workerData as WorkerInit).news.postMessage({ type: 'failed', message: (e as Error).message } satisfies WorkerNews);
});
