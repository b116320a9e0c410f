// main/ (core, Node; cluster mode only) — the station journal on a NATS JetStream stream replicated on three servers
// (R3, Raft): the asynchronous counterpart of main/core/journal.ts for several cores sharing one log. An append is
// acknowledged only once a quorum of the servers stored it; several cores append to the same stream and never both
// from the same position. The core writes through it from a worker thread (main/cluster/journalWorker.ts,
// clusterJournal.ts; docs/scaling.md).
//
// The design, and why:
// - One stream message holds one command's whole batch of records (a JSON array of JournalRecord). A command may be
//   two events that must be all or nothing (a radio dispatch and its acceptance); server 2.9 (Debian's) stores one
//   message atomically but has no atomic multi-message batch (that came in 2.12), so the batch is the message.
// - Two numberings, therefore: the stream sequence numbers messages, the record seq numbers events, as in the file
//   journal (consoles key their replica by record seq and expect no gaps). Nearly every message holds one record, so
//   record seq = stream seq + an offset that grows by n − 1 after each message of n records; the journal keeps the few
//   points where the offset changes (`offsets`) to find a record's message. Each record also carries its seq, which a
//   reader checks against the number it gives it (the reader's numbering is the authority, the same on every core).
// - Appends set JetStream's expected-last-sequence to the stream sequence this journal has delivered: two cores
//   appending from the same folded position cannot both succeed; the loser gets `conflict` after the journal has
//   caught up (its onRecord has seen the winner's records), re-checks its command against the new state, and retries.
// - Every append carries a message id (Nats-Msg-Id): the caller's (an alarm's `alarm:<deviceId>:<alarmId>`, see
//   alarmMessageId) or a unique one. Within the stream's duplicate window a repeat is not stored again; this is what
//   makes an append that timed out (server killed, leader election) safe to retry: the retry has the same id.
// - The hash chain of the file journal is kept: each record's hash covers the previous one's (recordHash). It costs one
//   sha256 per record; the writer knows the previous hash because it appends only from the position it delivered.
// - Every record reaches the caller once, in order, through onRecord (and subscribe()'s listeners), whether it came
//   from this journal's own append, another core's, or a catch-up: the caller folds in one place. An append resolves
//   after its records went through onRecord.
// - Hostile input never throws out of append/readFrom/subscribe: ids of any content or length become safe message ids
//   (a sha256 when needed), a payload too large or not serialisable is a `failed` result, a message that cannot be
//   read becomes a `journal.unreadable` placeholder record and a problem, as in the file journal.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { connect, credsAuthenticator, errors as natsErrors, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import {
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { JournalRecord, StationEvent } from '../../shared/events';
import { parseJournalRecord } from '../../shared/eventSchema';
import { GENESIS, recordHash, type JournalProblem } from '../core/journalRead';
import type { NatsAuth } from './natsAuth';

/** The connection options that carry `auth` (main/cluster/natsAuth.ts; empty for none). */
export function natsConnectOptions(auth: NatsAuth = {}): Partial<ConnectionOptions> {
  return {
    ...(auth.credsFile ? { authenticator: credsAuthenticator(fs.readFileSync(auth.credsFile)) } : {}),
    ...(auth.token ? { token: auth.token } : {}),
    ...(auth.user !== undefined ? { user: auth.user, pass: auth.pass ?? '' } : {}),
    ...(auth.caFile ? { tls: { caFile: auth.caFile } } : {}),
  };
}

/** Where the journal stands: the last record seq, the stream message that holds it, and its hash. */
export interface JournalPosition {
  seq: number;
  streamSeq: number;
  hash: string;
}

export type AppendResult =
  /** Stored now by this append: the records, as onRecord saw them. */
  | { status: 'stored'; streamSeq: number; records: JournalRecord[] }
  /**
   * The message id was already in the stream (within the duplicate window): nothing new was stored. `records` are the
   * records of the message stored under that id (undefined when it is no longer in memory).
   */
  | { status: 'duplicate'; streamSeq: number; records: JournalRecord[] | undefined }
  /** Another writer appended first. The journal has caught up to `lastSeq` (onRecord saw it): check again, retry. */
  | { status: 'conflict'; lastSeq: number }
  /**
   * Not stored. `maybeStored`: an attempt timed out, so it may have been stored after all; retrying with the same
   * message id within the duplicate window stores it at most once.
   */
  | { status: 'failed'; message: string; maybeStored: boolean };

export interface AppendOptions {
  /** The record seq the caller has folded (default: this journal's lastSeq); the append fails if the log moved on. */
  expectedLastSeq?: number;
  /** Idempotency key (any string; see alarmMessageId). Default: unique to this append. */
  msgId?: string;
  /** How long this append keeps retrying (default: the journal's appendTimeoutMs). */
  timeoutMs?: number;
}

export interface AsyncJournal {
  /** The stream and its creation: a stream deleted and created again gets a new id, as a new file journal does. */
  readonly journalId: string;
  /** The last record seq delivered to onRecord. */
  readonly lastSeq: number;
  readonly position: JournalPosition;
  readonly problems: readonly JournalProblem[];
  /** Appends the events as one message (all or nothing). Never throws. */
  append(events: readonly StationEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Hands every record after `seq` up to lastSeq (as of the call) to `onRecord`, in order; resolves to the last seq handed. */
  readFrom(seq: number, onRecord: (r: JournalRecord) => void): Promise<number>;
  /** Every record after `fromSeq`, the ones already stored and then each new one, in order, once. Returns unsubscribe. */
  subscribe(fromSeq: number, onRecord: (r: JournalRecord) => void): () => void;
  /** Reads what the stream holds now; resolves to lastSeq. */
  catchUp(timeoutMs?: number): Promise<number>;
  /** The same, but undefined unless the stream's end (as the servers said) was reached: no answer is not "nothing new". */
  catchUpToEnd(timeoutMs?: number): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface NatsJournalOptions {
  /** Client URLs of the servers (all of them: the client reconnects to another when one dies). */
  servers?: string | string[];
  /** Credentials for `servers` (main/cluster/natsAuth.ts). */
  auth?: NatsAuth;
  /** An open connection to use instead (not closed by close()). */
  connection?: NatsConnection;
  /** The stream's name (letters, digits, - and _); its subject is `<stream>.journal`. Default STATION. */
  stream?: string;
  /** Replicas when the stream is created (default 3). An existing stream is used as it is. */
  replicas?: number;
  /** How long the stream remembers message ids (default 2 minutes). */
  duplicateWindowMs?: number;
  /** Called for every record, in order, exactly once: at open for what the stream holds, then for each new one. */
  onRecord?: (r: JournalRecord) => void;
  /** Records kept in memory for readFrom and duplicate answers (default 50,000). */
  window?: number;
  /** How long one publish waits for its acknowledgement before it is retried with the same id (default 2 s). */
  attemptTimeoutMs?: number;
  /** How long an append keeps retrying (server loss, leader election) before it answers `failed` (default 30 s). */
  appendTimeoutMs?: number;
  /** Name of this client on the servers (their connection list). */
  name?: string;
}

const DEFAULT_STREAM = 'STATION';
const DEFAULT_WINDOW = 50_000;
const MSG_ID = 'Nats-Msg-Id';
const WRONG_LAST_SEQUENCE = 10071;
const STREAM_NOT_FOUND = 10059;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

const SAFE_ID = /^[A-Za-z0-9:._-]{1,120}$/;
const SAFE_PART = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * A Nats-Msg-Id for any string: itself when it is short and plain, else `#` and its sha256 (a header value may not
 * hold CR, LF or NUL, and very long ones cost every message). `#` is not in the plain set, so the forms never collide.
 */
export function natsMessageId(id: unknown): string {
  let s: string;
  try {
    s = typeof id === 'string' ? id : (JSON.stringify(id) ?? String(id));
  } catch {
    s = Object.prototype.toString.call(id);
  }
  return SAFE_ID.test(s) ? s : `#${sha256(s)}`;
}

/** The idempotency key of an alarm: a terminal's repeated press (same alarmId) is stored once on whichever core. */
export function alarmMessageId(deviceId: string, alarmId: string): string {
  // Plain parts are kept readable; anything else is hashed as a pair, so `a:b`+`c` and `a`+`b:c` stay apart.
  return typeof deviceId === 'string' && typeof alarmId === 'string' && SAFE_PART.test(deviceId) && SAFE_PART.test(alarmId)
    ? `alarm:${deviceId}:${alarmId}`
    : `#${sha256(JSON.stringify(['alarm', String(deviceId), String(alarmId)]))}`;
}

/** One stream message as delivered: its records and its message id. */
interface Delivered {
  streamSeq: number;
  msgId: string;
  records: JournalRecord[];
}

const placeholder = (seq: number, streamSeq: number, detail: string): JournalRecord => ({
  seq,
  event: { type: 'journal.unreadable', at: 0, line: streamSeq, detail: `stream message ${streamSeq}: ${detail}`.slice(0, 300) },
});

/** Errors after which the same append is tried again (same id, same expectation): the server may come back. */
function isRetryable(e: unknown): boolean {
  if (e instanceof natsErrors.TimeoutError || e instanceof natsErrors.RequestError || e instanceof natsErrors.ConnectionError) return true;
  // "no responders" (the client calls it JetStreamNotEnabled, a class it does not export): no leader for a moment.
  if (e instanceof Error && e.name === 'JetStreamNotEnabled') return true;
  if (e instanceof JetStreamApiError) return e.status === 503 || e.status >= 500 || /unavailable|not current|no quorum|leader/i.test(e.message);
  return false;
}

export async function openNatsJournal(options: NatsJournalOptions): Promise<AsyncJournal> {
  const stream = options.stream ?? DEFAULT_STREAM;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) throw new Error(`journal stream name ${JSON.stringify(stream)}: letters, digits, - and _ only`);
  const own = options.connection === undefined;
  const nc =
    options.connection ??
    (await connect({
      ...natsConnectOptions(options.auth),
      servers: options.servers ?? 'nats://127.0.0.1:4222',
      name: options.name ?? 'station-core',
      maxReconnectAttempts: -1, // never give up: the cluster comes back
      reconnectTimeWait: 250,
      // A server that stops answering without closing the socket (a cable, a frozen VM) is noticed in about 10 s.
      pingInterval: 5_000,
      maxPingOut: 2,
    }));
  try {
    // Right after a NATS server died the cluster elects a new JetStream leader, and until then JetStream does not
    // answer: a core starting in that moment asks again (three times, 5 s each) instead of failing to start.
    const jsm = await retryTimeouts(() => jetstreamManager(nc, { timeout: 5_000 }), 3);
    const subject = `${stream}.journal`;
    let info = await jsm.streams.info(stream).catch((e: unknown) => {
      if (e instanceof JetStreamApiError && e.code === STREAM_NOT_FOUND) return undefined;
      throw e; // not "there is none": creating one now could make a second
    });
    if (info) {
      // A stream of another kind under this name (a lease's, with a time to live; one message per subject) would lose
      // records without a word: refused.
      const c = info.config;
      const wrong = [
        !c.subjects?.includes(subject) && `its subjects are ${JSON.stringify(c.subjects)}`,
        (c.max_msgs_per_subject ?? -1) > 0 && `it keeps ${c.max_msgs_per_subject} message(s) per subject`,
        (c.max_age ?? 0) > 0 && 'its messages age out',
        (c.max_msgs ?? -1) > 0 && 'it has a message limit',
        (c.max_bytes ?? -1) > 0 && 'it has a size limit',
        c.retention !== RetentionPolicy.Limits && `its retention is ${c.retention}`,
      ].filter(Boolean);
      if (wrong.length) throw new Error(`stream ${stream} is not a station journal: ${wrong.join('; ')}`);
      if ((c.num_replicas ?? 1) < (options.replicas ?? 3))
        console.warn(`journal ${stream}: ONLY ${c.num_replicas} REPLICA(S): the loss of one server can lose alarms`);
    }
    if (!info) {
      // Two cores creating it at once both succeed: the same config is accepted twice.
      info = await jsm.streams.add({
        name: stream,
        subjects: [subject],
        num_replicas: options.replicas ?? 3,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_msgs: -1,
        max_bytes: -1,
        max_age: 0,
        duplicate_window: (options.duplicateWindowMs ?? 120_000) * 1_000_000, // nanoseconds
        // Append-only on the servers too: no message is deleted and the stream is never purged from a client.
        deny_delete: true,
        deny_purge: true,
        allow_direct: true,
      });
    }
    // API calls (creating the live reader's consumer among them) time out as fast as one append attempt: a consumer
    // placed on a server that just died is given up and asked for again instead of waiting 5 s.
    const js = jetstream(nc, { timeout: options.attemptTimeoutMs ?? 2_000 });
    const journal = new NatsJournal(nc, jsm, js, stream, subject, info.created, options, own);
    await journal.start(info.state.last_seq);
    return journal;
  } catch (e) {
    if (own) await nc.close().catch(() => undefined);
    throw e;
  }
}

class NatsJournal implements AsyncJournal {
  readonly journalId: string;
  readonly problems: JournalProblem[] = [];
  private pos: JournalPosition = { seq: 0, streamSeq: 0, hash: GENESIS };
  private chainBroken = false;
  /** Recent messages, oldest first, at most about `window` records. */
  private recent: Delivered[] = [];
  private recentRecords = 0;
  /** Where record seq − stream seq changes: from `streamSeq` on (to the next entry), record seq = stream seq + offset. */
  private readonly offsets: { streamSeq: number; offset: number }[] = [{ streamSeq: 1, offset: 0 }];
  private readonly listeners = new Set<(r: JournalRecord) => void>();
  private waiters: { streamSeq: number; resolve: () => void }[] = [];
  private messages: ConsumerMessages | undefined;
  private closed = false;
  private following: Promise<void> | undefined;
  private counter = 0;
  private readonly writerId = crypto.randomBytes(6).toString('hex');
  private readonly window: number;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly subject: string,
    created: string,
    private readonly options: NatsJournalOptions,
    private readonly ownConnection: boolean,
  ) {
    this.journalId = `${stream}-${sha256(`${stream}\n${created}`).slice(0, 12)}`;
    this.window = Math.max(1, options.window ?? DEFAULT_WINDOW);
  }

  get lastSeq(): number {
    return this.pos.seq;
  }

  get position(): JournalPosition {
    return { ...this.pos };
  }

  /** Follows the stream from its start and waits until what it held at open has been delivered. */
  async start(lastAtOpen: number): Promise<void> {
    this.following = this.follow();
    // While the live reader cannot be made (a server lost a moment ago), the messages are fetched one by one.
    await this.catchUpTo(lastAtOpen, 60_000, 1_000);
  }

  // ---- reading ----

  /** The live reader: an ordered consumer from the next undelivered message, made again when it breaks. */
  private async follow(): Promise<void> {
    let complained = false;
    while (!this.closed) {
      try {
        const consumer = await this.js.consumers.get(this.stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.pos.streamSeq + 1,
        });
        // Short heartbeats: a consumer lost with its server is noticed and made again within a couple of seconds.
        const messages = await consumer.consume({ max_messages: 512, expires: 2_000, idle_heartbeat: 1_000 });
        this.messages = messages;
        if (this.closed) messages.stop();
        complained = false;
        for await (const m of messages) {
          this.deliver(m.seq, m.headers?.get(MSG_ID) ?? '', m.data);
        }
      } catch (e) {
        if (!this.closed && !complained) {
          complained = true;
          console.warn(`journal ${this.stream}: following the stream failed (${messageOf(e)}); trying again`);
        }
      }
      if (!this.closed) await sleep(200);
    }
  }

  /** Reads missing messages one by one (after a conflict, when the live reader lags behind). */
  private async fetchUpTo(streamSeq: number): Promise<void> {
    while (!this.closed && this.pos.streamSeq < streamSeq) {
      const next = this.pos.streamSeq + 1;
      const m = await this.jsm.streams.getMessage(this.stream, { seq: next }).catch((e: unknown) => {
        if (!isRetryable(e) && !/no message found/i.test(messageOf(e))) throw e;
        return null;
      });
      if (this.pos.streamSeq >= next) continue; // the live reader was faster
      if (m) this.deliver(m.seq, m.header?.get(MSG_ID) ?? '', m.data);
      else return; // not there (yet): the caller waits or answers with what it has
    }
  }

  /** The records of one message, numbered from `firstSeq`; what cannot be read becomes a placeholder. */
  private decode(streamSeq: number, firstSeq: number, data: Uint8Array, checkChain: boolean): JournalRecord[] {
    let raw: unknown;
    try {
      raw = JSON.parse(this.decoder.decode(data));
    } catch (e) {
      return [this.unreadable(firstSeq, streamSeq, `not JSON (${messageOf(e)})`)];
    }
    if (!Array.isArray(raw) || raw.length === 0) return [this.unreadable(firstSeq, streamSeq, 'not a list of records')];
    const out: JournalRecord[] = [];
    let hash = this.pos.hash;
    for (const item of raw as unknown[]) {
      const seq = firstSeq + out.length;
      const parsed = parseJournalRecord(item);
      if (!parsed.ok) {
        out.push(this.unreadable(seq, streamSeq, parsed.reason));
        continue;
      }
      const rawRecord = item as { seq: unknown; event: unknown; hash?: unknown };
      if (checkChain && !this.chainBroken) {
        // Over the message's own parsed value: the parsed record may have had unknown fields stripped.
        const expected = rawRecord.seq === seq ? recordHash(hash, seq, rawRecord.event) : undefined;
        if (expected === undefined || rawRecord.hash !== expected) {
          this.chainBroken = true;
          this.problems.push({
            line: streamSeq,
            kind: 'chain_broken',
            detail:
              rawRecord.seq !== seq
                ? `stream message ${streamSeq}: the record says seq ${String(rawRecord.seq)}, the stream puts it at ${seq}`
                : `record seq ${seq} (stream message ${streamSeq}) does not match the hash chain`,
          });
        }
      }
      const record = parsed.record.seq === seq ? parsed.record : { ...parsed.record, seq };
      if (typeof record.hash === 'string') hash = record.hash;
      out.push(record);
    }
    return out;
  }

  private unreadable(seq: number, streamSeq: number, detail: string): JournalRecord {
    this.problems.push({ line: streamSeq, kind: 'bad_record', detail: `stream message ${streamSeq}: ${detail}`.slice(0, 300) });
    return placeholder(seq, streamSeq, detail);
  }

  /** Takes the next stream message: numbers its records, keeps them, and hands them on. Every path comes here. */
  private deliver(streamSeq: number, msgId: string, data: Uint8Array): void {
    if (this.closed || streamSeq <= this.pos.streamSeq) return; // delivered already by another path
    if (streamSeq !== this.pos.streamSeq + 1) {
      this.problems.push({
        line: streamSeq,
        kind: 'journal_missing',
        detail: `stream messages ${this.pos.streamSeq + 1}–${streamSeq - 1} are missing (deleted from the stream?)`,
      });
    }
    const firstSeq = this.pos.seq + 1;
    const records = this.decode(streamSeq, firstSeq, data, true);
    const offset = firstSeq - streamSeq;
    if (offset !== this.offsets[this.offsets.length - 1]!.offset) this.offsets.push({ streamSeq, offset });
    const last = records[records.length - 1]!;
    this.pos = { seq: last.seq, streamSeq, hash: records.reduce((h, r) => (typeof r.hash === 'string' ? r.hash : h), this.pos.hash) };
    this.recent.push({ streamSeq, msgId, records });
    this.recentRecords += records.length;
    while (this.recentRecords > this.window && this.recent.length > 1) this.recentRecords -= this.recent.shift()!.records.length;
    for (const r of records) {
      try {
        this.options.onRecord?.(r);
      } catch (e) {
        console.error(`journal ${this.stream}: onRecord failed at seq ${r.seq}:`, e);
      }
      for (const l of this.listeners) {
        try {
          l(r);
        } catch (e) {
          console.error(`journal ${this.stream}: a subscriber failed at seq ${r.seq}:`, e);
        }
      }
    }
    if (this.waiters.length > 0) {
      const done = this.waiters.filter((w) => w.streamSeq <= streamSeq);
      this.waiters = this.waiters.filter((w) => w.streamSeq > streamSeq);
      for (const w of done) w.resolve();
    }
  }

  /** Resolves true once message `streamSeq` has been delivered, false after `timeoutMs` or at close. */
  private waitFor(streamSeq: number, timeoutMs: number): Promise<boolean> {
    if (this.pos.streamSeq >= streamSeq) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w = {
        streamSeq,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.pos.streamSeq >= streamSeq);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Waits for the live reader, then fetches what it still lacks directly. */
  private async catchUpTo(streamSeq: number, timeoutMs: number, patienceMs = 300): Promise<void> {
    if (await this.waitFor(streamSeq, Math.min(patienceMs, timeoutMs))) return;
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && this.pos.streamSeq < streamSeq && Date.now() < deadline) {
      try {
        await this.fetchUpTo(streamSeq);
      } catch (e) {
        console.warn(`journal ${this.stream}: catching up failed (${messageOf(e)})`);
      }
      if (this.pos.streamSeq < streamSeq) await this.waitFor(streamSeq, 200);
    }
  }

  async catchUpToEnd(timeoutMs = 10_000): Promise<number | undefined> {
    try {
      const info = await this.jsm.streams.info(this.stream);
      await this.catchUpTo(info.state.last_seq, timeoutMs);
      return this.pos.streamSeq >= info.state.last_seq ? this.pos.seq : undefined;
    } catch (e) {
      console.warn(`journal ${this.stream}: could not ask the stream where it ends (${messageOf(e)})`);
      return undefined;
    }
  }

  async catchUp(timeoutMs = 10_000): Promise<number> {
    try {
      const info = await this.jsm.streams.info(this.stream);
      await this.catchUpTo(info.state.last_seq, timeoutMs);
    } catch (e) {
      console.warn(`journal ${this.stream}: could not ask the stream where it ends (${messageOf(e)})`);
    }
    return this.pos.seq;
  }

  /** The stream message holding record `seq` (the offsets say; see the header). */
  private streamSeqOf(seq: number): number {
    let i = this.offsets.length - 1;
    while (i > 0 && this.offsets[i]!.streamSeq + this.offsets[i]!.offset > seq) i--;
    const candidate = seq - this.offsets[i]!.offset;
    const next = this.offsets[i + 1];
    return next ? Math.min(candidate, next.streamSeq - 1) : candidate;
  }

  private offsetAt(streamSeq: number): number {
    let i = this.offsets.length - 1;
    while (i > 0 && this.offsets[i]!.streamSeq > streamSeq) i--;
    return this.offsets[i]!.offset;
  }

  async readFrom(seq: number, onRecord: (r: JournalRecord) => void): Promise<number> {
    const from = Number.isSafeInteger(seq) && seq > 0 ? seq : 0;
    const end = this.pos;
    if (from >= end.seq) return end.seq;
    const hand = (r: JournalRecord): void => {
      if (r.seq > from && r.seq <= end.seq) onRecord(r);
    };
    const oldest = this.recent[0]?.records[0]?.seq;
    if (oldest !== undefined && oldest <= from + 1) {
      for (const m of [...this.recent]) for (const r of m.records) hand(r);
      return end.seq;
    }
    // Older than memory: read those messages from the stream with their own ordered consumer.
    const startStream = this.streamSeqOf(from + 1);
    let reached = startStream - 1;
    let messages: ConsumerMessages | undefined;
    try {
      const consumer = await this.js.consumers.get(this.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startStream });
      messages = await consumer.consume({ max_messages: 512, expires: 2_000, idle_heartbeat: 1_000 });
      for await (const m of messages) {
        if (m.seq > end.streamSeq) break;
        if (m.seq <= reached) continue;
        reached = m.seq;
        for (const r of this.decode(m.seq, m.seq + this.offsetAt(m.seq), m.data, false)) hand(r);
        if (m.seq >= end.streamSeq) break;
      }
    } catch (e) {
      console.warn(`journal ${this.stream}: reading from seq ${from} failed at stream message ${reached + 1} (${messageOf(e)})`);
    } finally {
      messages?.stop();
    }
    if (reached < end.streamSeq) return reached < startStream ? from : reached + this.offsetAt(reached);
    return end.seq;
  }

  subscribe(fromSeq: number, onRecord: (r: JournalRecord) => void): () => void {
    let live = false;
    let stopped = false;
    const buffered: JournalRecord[] = [];
    const upTo = this.pos.seq;
    const listener = (r: JournalRecord): void => {
      if (stopped) return;
      if (live) onRecord(r);
      else buffered.push(r);
    };
    this.listeners.add(listener);
    void this.readFrom(fromSeq, (r) => {
      if (!stopped) onRecord(r);
    }).then((reached) => {
      if (reached < upTo) console.warn(`journal ${this.stream}: a subscriber from seq ${fromSeq} could only be given up to ${reached}`);
      live = true;
      for (const r of buffered) if (!stopped && r.seq > upTo) onRecord(r);
      buffered.length = 0;
    });
    return () => {
      stopped = true;
      this.listeners.delete(listener);
    };
  }

  // ---- appending ----

  private findMessage(streamSeq: number): Delivered | undefined {
    const first = this.recent[0]?.streamSeq;
    if (first === undefined || streamSeq < first) return undefined;
    const m = this.recent[streamSeq - first]; // consecutive unless messages were missing
    return m?.streamSeq === streamSeq ? m : this.recent.find((x) => x.streamSeq === streamSeq);
  }

  private findMsgIdAfter(msgId: string, streamSeq: number): Delivered | undefined {
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i]!.streamSeq > streamSeq; i--) {
      if (this.recent[i]!.msgId === msgId) return this.recent[i];
    }
    return undefined;
  }

  async append(events: readonly StationEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return { status: 'failed', message: 'the journal is closed', maybeStored: false };
    if (!Array.isArray(events) || events.length === 0) return { status: 'failed', message: 'nothing to append', maybeStored: false };
    const base = this.pos;
    if (options.expectedLastSeq !== undefined && options.expectedLastSeq !== base.seq) return { status: 'conflict', lastSeq: base.seq };
    let payload: Uint8Array;
    const records: JournalRecord[] = [];
    try {
      let hash = base.hash;
      for (const event of events) {
        const seq = base.seq + records.length + 1;
        hash = recordHash(hash, seq, event);
        records.push({ seq, event, hash });
      }
      // What every reader would turn into a placeholder is refused here instead (a control character in an id…).
      for (const r of records) {
        const check = parseJournalRecord(JSON.parse(JSON.stringify(r)));
        if (!check.ok) return { status: 'failed', message: `not a valid record: ${check.reason}`, maybeStored: false };
      }
      payload = this.encoder.encode(JSON.stringify(records));
    } catch (e) {
      return { status: 'failed', message: `cannot be stored: ${messageOf(e)}`, maybeStored: false };
    }
    const maxPayload = this.nc.info?.max_payload ?? 1024 * 1024;
    if (payload.length > maxPayload - 1024) {
      return { status: 'failed', message: `too large to store: ${payload.length} bytes (the servers take ${maxPayload})`, maybeStored: false };
    }
    const msgId = options.msgId !== undefined ? natsMessageId(options.msgId) : `w:${this.writerId}:${++this.counter}`;
    const deadline = Date.now() + (options.timeoutMs ?? this.options.appendTimeoutMs ?? 30_000);
    let unsure = false; // an attempt may have been stored without our hearing the acknowledgement
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.js.publish(this.subject, payload, {
          msgID: msgId,
          expect: { lastSequence: base.streamSeq, streamName: this.stream },
          timeout: this.options.attemptTimeoutMs ?? 2_000,
        });
        if (!ack.duplicate) {
          // Ours, right after base (the expectation guarantees it): delivered now unless the live reader was faster.
          this.deliver(ack.seq, msgId, payload);
          return { status: 'stored', streamSeq: ack.seq, records: this.findMessage(ack.seq)?.records ?? records };
        }
        await this.catchUpTo(ack.seq, 10_000);
        const stored = this.findMessage(ack.seq);
        // A repeat of our own attempt that timed out: stored once, by us.
        if (unsure && stored && stored.msgId === msgId && JSON.stringify(stored.records.map((r) => r.event)) === JSON.stringify(events)) {
          return { status: 'stored', streamSeq: ack.seq, records: stored.records };
        }
        return { status: 'duplicate', streamSeq: ack.seq, records: stored?.records };
      } catch (e) {
        if (e instanceof JetStreamApiError && e.code === WRONG_LAST_SEQUENCE) {
          const last = Number(/wrong last sequence: (\d+)/.exec(e.message)?.[1] ?? NaN);
          await this.catchUpTo(Number.isSafeInteger(last) ? last : base.streamSeq + 1, 10_000);
          // Past the duplicate window a repeat is not recognised by the server: look for our id among the new messages.
          const mine = unsure ? this.findMsgIdAfter(msgId, base.streamSeq) : undefined;
          if (mine) return { status: 'stored', streamSeq: mine.streamSeq, records: mine.records };
          return { status: 'conflict', lastSeq: this.pos.seq };
        }
        const retry = isRetryable(e) && !this.closed && Date.now() < deadline;
        if (isRetryable(e)) unsure = true;
        if (!retry) return { status: 'failed', message: messageOf(e), maybeStored: unsure };
        await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.messages?.stop();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    this.listeners.clear();
    if (this.ownConnection) await this.nc.close().catch(() => undefined);
    await this.following?.catch(() => undefined);
  }
}

/** `f` again after a timeout (a JetStream leader being elected), up to `attempts` times in all; other errors at once. */
async function retryTimeouts<T>(f: () => Promise<T>, attempts: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= attempts || (e as Error).name !== 'TimeoutError') throw e;
    }
  }
}
