// main/ (core, Node; cluster mode only) — the core's journal when the log is a NATS JetStream stream replicated on
// three servers (issue 15; docs/scaling.md). It is the same synchronous Journal the core writes its file journal
// through, so the core itself does not change: an append waits (Atomics.wait) until a quorum of servers has stored it,
// as the file journal waits for fsync; a worker thread (main/cluster/journalWorker.ts) holds the connection.
//
// One core writes, the others stand by (active/standby, not several writers):
// - The core that holds the lease (a message on the stream's `_LEASE` subject, renewed every third of its time to
//   live) is the leader: it folds the log to its end, then listens. The others follow the log, fold every record as
//   it comes (hot), and do not listen, so the balancer in front (HAProxy) sends every connection to the leader.
// - A leader that dies stops renewing; its lease lapses and a standby takes it, reads what is left of the log, and
//   listens: terminals and consoles reconnect to it through the same address.
// - Every append names the sequence the leader has folded (JetStream's expected last sequence). A core that still
//   believes it leads after another took over cannot append a single record: its append is refused, and it steps
//   down (exits; its supervisor starts it again as a standby). So two officers can never both acknowledge.
// - An append that may or may not have been stored (a server lost mid-append, longer than the retries) is not
//   guessed at: the core refuses further appends for the moment, reads the log, and steps down if the log holds a
//   record it did not fold. The alarm meanwhile is shown and not acknowledged to its terminal, which retries; the
//   message id (device + alarmId) keeps a retry from being stored twice.
// Why not several writers: every command would need an asynchronous retry path in the core (check, append, conflict,
// catch up, check again), for a load one core carries many times over (docs/scaling.md has the figures).
import { performance } from 'node:perf_hooks';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { JournalRecord, StationEvent } from '../../shared/events';
import { recentAfter, type Journal, type JournalAnchor, type JournalProblem } from '../core/journal';
import { GENESIS } from '../core/journalRead';
import type { NatsAuth } from './natsAuth';
import { alarmMessageId } from './natsJournal';
import type { WorkerInit, WorkerNews, WorkerReply, WorkerRequest } from './journalWorker';

export interface ClusterOptions {
  /** The NATS servers' client URLs (all of them). */
  servers: string[];
  /** Credentials for them (main/cluster/natsAuth.ts). */
  auth?: NatsAuth;
  /** The stream's name (default STATION). */
  stream?: string;
  replicas?: number;
  /** This core's name (lease holder, connection name). */
  name: string;
  /** The worker's script (dist/main/journalWorker.js). */
  workerScript: string;
  /** Every record of the log, in order, once (the core's restore fold), until this core leads. */
  onRecord: (r: JournalRecord) => void;
  /** This core may no longer write (another leads, or the log holds records it did not fold): stop it. */
  onFenced: (reason: string) => void;
  leaseTtlMs?: number;
  /** How long one append may hold the core before it is given up (default 2.5 s). */
  appendTimeoutMs?: number;
  /** Records kept in memory for consoles catching up (default 50,000). */
  window?: number;
  log?: (m: string) => void;
}

export const DEFAULT_LEASE_TTL_MS = 3_000;

export interface ClusterJournal extends Journal {
  /** Resolves when this core holds the lease and has folded the whole log: it may listen now. */
  readonly leading: Promise<void>;
}

/** Starts following the log at once; `leading` resolves when this core becomes the leader. */
export function openClusterJournal(o: ClusterOptions): ClusterJournal {
  const log = o.log ?? ((m: string) => console.log(`cluster: ${m}`));
  const window = Math.max(1, o.window ?? 50_000);
  const appendTimeoutMs = o.appendTimeoutMs ?? 2_500;
  const signalBuf = new SharedArrayBuffer(4);
  const signal = new Int32Array(signalBuf);
  const channel = new MessageChannel();
  // News (records as read, the lease, catch-ups) come on a channel of their own, in the order the worker sent them.
  const news = new MessageChannel();
  const newsPort = news.port1;
  const init: WorkerInit = {
    servers: o.servers,
    auth: o.auth ?? {},
    stream: o.stream ?? 'STATION',
    replicas: o.replicas ?? 3,
    signal: signalBuf,
    replies: channel.port2,
    news: news.port2,
    name: o.name,
    leaseTtlMs: o.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    attemptTimeoutMs: 1_000,
    appendTimeoutMs: Math.max(500, appendTimeoutMs - 500),
  };
  const worker = new Worker(o.workerScript, { workerData: init, transferList: [channel.port2, news.port2] });

  const records: JournalRecord[] = [];
  const problems: JournalProblem[] = [];
  let journalId = '';
  let lastSeq = 0;
  let lastHash = GENESIS;
  let lastAt = 0;
  let lastIncidentId: string | undefined;
  let role: 'standby' | 'promoting' | 'leader' | 'fenced' | 'closed' = 'standby';
  /** While set, an append may have been stored unheard of: nothing is appended until the log has been read. */
  let uncertain = false;
  let nextId = 1;
  let opened = false;
  let leaseHeld = false;
  /** Catch-ups asked of the worker (answered on the news port, after the records they read). */
  const catchUps = new Map<number, (lastSeq: number | undefined) => void>();

  const keep = (r: JournalRecord): void => {
    records.push(r);
    if (records.length > window * 1.25) records.splice(0, records.length - window);
    lastSeq = r.seq;
    if (r.hash) lastHash = r.hash;
    lastAt = r.event.at || lastAt;
    if (r.event.type === 'alarm.received') lastIncidentId = r.event.incidentId;
  };

  const fence = (reason: string): void => {
    if (role === 'fenced' || role === 'closed') return;
    role = 'fenced';
    log(`this core may no longer write: ${reason}`);
    o.onFenced(reason);
  };

  /** A record read from the log: folded while standing by; while leading, anything new was written by another. */
  const onLogRecord = (r: JournalRecord): void => {
    if (r.seq <= lastSeq) return; // this core's own append (it has it from the answer), or already folded
    if (role === 'leader') return fence(`the log holds record ${r.seq} that this core did not write`);
    if (role !== 'standby' && role !== 'promoting') return;
    if (r.seq !== lastSeq + 1) return fence(`the log skipped from ${lastSeq} to ${r.seq}`);
    keep(r);
    o.onRecord(r);
  };

  /** Asks the worker to read the log to its end; resolves with its last seq, or undefined when that is not known. */
  const catchUp = (): Promise<number | undefined> =>
    new Promise((resolve) => {
      const id = nextId++;
      catchUps.set(id, resolve);
      worker.postMessage({ id, op: 'catchUp' } satisfies WorkerRequest);
    });

  /** Sends an append and waits for its answer, blocking this thread (as fsync does) for at most `ms`. */
  const call = (req: Omit<Extract<WorkerRequest, { op: 'append' }>, 'id'> | { op: 'close' }, ms: number): WorkerReply | undefined => {
    const id = nextId++;
    Atomics.store(signal, 0, 0);
    worker.postMessage({ ...req, id });
    const deadline = performance.now() + ms;
    for (;;) {
      for (let m = receiveMessageOnPort(channel.port1); m; m = receiveMessageOnPort(channel.port1)) {
        const reply = m.message as WorkerReply;
        if (reply.id === id) return reply; // an older one (its wait had given up) is dropped
      }
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      Atomics.wait(signal, 0, 0, left);
      Atomics.store(signal, 0, 0);
    }
  };

  let onNews: (n: WorkerNews) => void = () => undefined;
  const leading = new Promise<void>((resolve, reject) => {
    onNews = (n: WorkerNews): void => {
      if (n.type === 'records') for (const r of n.records) onLogRecord(r);
      else if (n.type === 'caughtUp') {
        catchUps.get(n.id)?.(n.lastSeq);
        catchUps.delete(n.id);
      } else if (n.type === 'problems') {
        for (const p of n.problems) {
          problems.push(p);
          log(`the log: ${p.kind} at ${p.line}: ${p.detail}`);
        }
      } else if (n.type === 'open') {
        opened = true;
        journalId = n.journalId;
        log(`following stream ${init.stream} (${n.lastSeq} records at open)`);
        if (leaseHeld) void promote();
      } else if (n.type === 'lease') {
        leaseHeld = n.held;
        if (n.held && opened) void promote();
        else if (!n.held && (role === 'leader' || role === 'promoting')) fence(`the lease went to ${n.holder ?? 'another core'}`);
      } else if (n.type === 'failed') {
        log(`the connection to the log failed: ${n.message}`);
        if (role === 'standby') reject(new Error(`cannot follow the log: ${n.message}`));
        else fence(n.message);
      }
    };
    /** Holding the lease: read the log to its end (the last leader may have written up to its last moment), then lead. */
    const promote = async (): Promise<void> => {
      if (role !== 'standby') return;
      role = 'promoting';
      const end = await catchUp();
      // The records it read came before its answer, on the same port: folded already.
      if (role !== 'promoting') return; // fenced meanwhile
      if (end === undefined || lastSeq < end || !leaseHeld) {
        role = 'standby';
        log(`holding the lease, but the log could not be read to its end${leaseHeld ? '' : ' (and the lease is gone)'}; trying again`);
        if (leaseHeld) setTimeout(() => leaseHeld && void promote(), 500);
        return;
      }
      role = 'leader';
      log(`leading from record ${lastSeq}`);
      resolve();
    };
  });
  newsPort.on('message', (n: WorkerNews) => onNews(n));
  worker.on('error', (e) => {
    log(`the log's worker failed: ${e.message}`);
    if (role === 'standby') onNews({ type: 'failed', message: e.message });
    else fence(e.message);
  });
  worker.on('exit', (code) => {
    if (role !== 'closed') fence(`the log's worker exited (${code})`);
  });
  // The worker and the news port keep a standing-by core alive (nothing else runs yet); close() ends both.

  function appendBatch(events: StationEvent[]): JournalRecord[] {
    if (role !== 'leader')
      throw new Error(role === 'standby' || role === 'promoting' ? 'this core does not lead (standby)' : `this core may not write (${role})`);
    if (uncertain) throw new Error('the cluster log has not confirmed the last append; not stored');
    const first = events[0];
    const msgId = first?.type === 'alarm.received' ? alarmMessageId(first.deviceId, first.alarmId) : undefined;
    const reply = call({ op: 'append', events, expectedLastSeq: lastSeq, ...(msgId ? { msgId } : {}) }, appendTimeoutMs);
    if (reply?.ok && reply.records.length === events.length && reply.records[0]!.seq === lastSeq + 1) {
      for (const r of reply.records) keep(r);
      return reply.records;
    }
    if (reply && !reply.ok && reply.leaseLapsing) throw new Error(`not stored: ${reply.message}`);
    if (reply && !reply.ok && reply.conflict) {
      fence(`another writer appended to the log (${reply.message}; now at ${reply.lastSeq}, this core at ${lastSeq})`);
      throw new Error('another core writes the log now; not stored');
    }
    if (reply && !reply.ok && !reply.maybeStored) throw new Error(`not stored: ${reply.message}`);
    // Not known whether it was stored: no append until the log says, and a step down if it holds what we did not fold.
    uncertain = true;
    const why = reply ? (reply.ok ? `an answer that does not follow record ${lastSeq}` : reply.message) : `no answer in ${appendTimeoutMs} ms`;
    log(`an append was not confirmed (${why}); checking the log`);
    void settleUncertain();
    throw new Error(`the cluster log did not confirm the write: ${why}`);
  }

  /** After an unconfirmed append: reads the log (without holding this thread); resumes if it holds nothing new. */
  async function settleUncertain(): Promise<void> {
    while (role === 'leader') {
      const end = await catchUp();
      if (role !== 'leader') return;
      // A record this core did not write has fenced it already (onLogRecord); this is the case of none arriving yet.
      if (end !== undefined && end > lastSeq) return fence(`the unconfirmed append is in the log (record ${end})`);
      if (end !== undefined) {
        uncertain = false;
        return log(`the log holds nothing new after record ${lastSeq}: appending again`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  return {
    leading,
    get records() {
      return records;
    },
    problems,
    chainChecked: Promise.resolve(undefined),
    get journalId() {
      return journalId;
    },
    get lastSeq() {
      return lastSeq;
    },
    get incidentIdHighWater() {
      return lastIncidentId;
    },
    recordsAfter: (seq: number) => recentAfter(records, lastSeq, seq),
    position: (): JournalAnchor => ({ seq: lastSeq, hash: lastHash, bytes: 0, lines: lastSeq, lastAt, problems: [] }),
    append: (event: StationEvent): JournalRecord => appendBatch([event])[0]!,
    appendBatch,
    close(): void {
      if (role === 'closed') return;
      role = 'closed';
      call({ op: 'close' }, 2_000);
      void worker.terminate();
      newsPort.close();
    },
  };
}
