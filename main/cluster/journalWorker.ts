// main/ (core, Node worker thread; cluster mode only) — holds the core's connection to the NATS JetStream cluster
// (main/cluster/natsJournal.ts) so that the core can append synchronously, as it does to its file journal: the core
// posts an append and waits (Atomics.wait) until the quorum of servers has stored it, the way it waits for fsync.
// Also keeps the leader lease (main/cluster/clusterJournal.ts says why there is one leader). Every record of the
// stream is posted to the core as it is read (the standby folds them; the leader checks that they are its own).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JournalRecord, StationEvent } from '../../shared/events';
import { openNatsJournal, type AsyncJournal } from './natsJournal';

export interface WorkerInit {
  servers: string[];
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

export type WorkerRequest =
  { id: number; op: 'append'; events: StationEvent[]; expectedLastSeq: number; msgId?: string } | { id: number; op: 'catchUp' } | { id: number; op: 'close' };

export type WorkerReply =
  | { id: number; ok: true; records?: JournalRecord[]; lastSeq: number; duplicate?: boolean }
  | { id: number; ok: false; conflict?: boolean; maybeStored?: boolean; leaseLapsing?: boolean; message: string; lastSeq: number };

/** Asynchronous news for the core: records as read, the lease won or lost, the journal's identity once open. */
export type WorkerNews =
  | { type: 'open'; journalId: string; lastSeq: number }
  | { type: 'records'; records: JournalRecord[] }
  | { type: 'lease'; held: boolean; holder?: string }
  | { type: 'failed'; message: string };

const LEASE_SUBJECT = (stream: string): string => `${stream}_LEASE.leader`;

async function main(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  const signal = new Int32Array(init.signal);
  const news = (n: WorkerNews): void => init.news.postMessage(n);
  /** When the lease was last taken or renewed (0: never). */
  let lastRenewed = 0;
  // Each record at once, before the answer to the append that wrote it: the core never has an answer before a record.
  const onRecord = (r: JournalRecord): void => news({ type: 'records', records: [r] });
  const nc: NatsConnection = await connect({
    servers: init.servers,
    name: init.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 2_000,
    maxPingOut: 2,
  });
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

  const reply = (r: WorkerReply): void => {
    init.replies.postMessage(r);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };

  port.on('message', (req: WorkerRequest) => {
    void (async () => {
      try {
        if (req.op === 'append') {
          // A leader whose lease may have lapsed (not renewed for most of its time to live, a NATS server lost) does
          // not write: another core may be taking over. Refused, not stored; the terminal retries.
          const sinceRenewed = Date.now() - lastRenewed;
          if (sinceRenewed > init.leaseTtlMs * 0.8) {
            reply({ id: req.id, ok: false, leaseLapsing: true, message: `the lease was not renewed for ${sinceRenewed} ms`, lastSeq: journal.lastSeq });
            return;
          }
          const r = await journal.append(req.events, { expectedLastSeq: req.expectedLastSeq, ...(req.msgId ? { msgId: req.msgId } : {}) });
          if (r.status === 'stored') reply({ id: req.id, ok: true, records: r.records, lastSeq: journal.lastSeq });
          else if (r.status === 'duplicate')
            reply(
              r.records
                ? { id: req.id, ok: true, records: r.records, lastSeq: journal.lastSeq, duplicate: true }
                : { id: req.id, ok: false, conflict: true, message: 'stored before, no longer in memory', lastSeq: journal.lastSeq },
            );
          else if (r.status === 'conflict') reply({ id: req.id, ok: false, conflict: true, message: 'another writer appended first', lastSeq: r.lastSeq });
          else reply({ id: req.id, ok: false, maybeStored: r.maybeStored, message: r.message, lastSeq: journal.lastSeq });
        } else if (req.op === 'catchUp') {
          const last = await journal.catchUp(5_000);
          reply({ id: req.id, ok: true, lastSeq: last });
        } else {
          stopLease();
          await journal.close().catch(() => undefined);
          await nc.close().catch(() => undefined);
          reply({ id: req.id, ok: true, lastSeq: journal.lastSeq });
          process.exit(0);
        }
      } catch (e) {
        reply({ id: req.id, ok: false, message: (e as Error).message, lastSeq: journal.lastSeq });
      }
    })();
  });

  // ---- the leader lease: one message on a subject of its own stream, gone after leaseTtlMs unless renewed ----
  const jsm = await jetstreamManager(nc, { timeout: 5_000 });
  const leaseStream = `${init.stream}_LEASE`;
  if (!(await jsm.streams.info(leaseStream).catch(() => undefined))) {
    await jsm.streams
      .add({
        name: leaseStream,
        subjects: [LEASE_SUBJECT(init.stream)],
        num_replicas: init.replicas,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_msgs_per_subject: 1,
        max_age: init.leaseTtlMs * 1_000_000,
        duplicate_window: Math.min(init.leaseTtlMs, 1_000) * 1_000_000,
      })
      .catch(() => undefined); // another core created it at the same moment
  }
  const js = jetstream(nc, { timeout: 2_000 });
  let held = false;
  let mySeq = 0;
  let stopped = false;
  const body = new TextEncoder().encode(init.name);
  const tick = async (): Promise<void> => {
    try {
      // Won only when no lease message is there (expected last subject sequence 0); renewed only from our own.
      const asked = Date.now();
      const ack = await js.publish(LEASE_SUBJECT(init.stream), body, { expect: { lastSubjectSequence: held ? mySeq : 0 } });
      mySeq = ack.seq;
      lastRenewed = asked; // counted from the asking: the servers' clock of its age started no earlier
      if (!held) news({ type: 'lease', held: true });
      held = true;
    } catch (e) {
      if (held && /wrong last sequence/i.test((e as Error).message)) {
        held = false;
        news({ type: 'lease', held: false, holder: 'another core' });
      }
      // A timeout while held: the lease may lapse; the log's expected sequence still fences a second writer.
    }
  };
  const timer = setInterval(() => void tick(), Math.max(100, Math.floor(init.leaseTtlMs / 3)));
  void tick();
  function stopLease(): void {
    stopped = true;
    clearInterval(timer);
  }
  void stopped;
}

main(workerData as WorkerInit).catch((e: unknown) => {
  (workerData as WorkerInit).news.postMessage({ type: 'failed', message: (e as Error).message } satisfies WorkerNews);
});
