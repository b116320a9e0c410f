// main/ (core, Node; cluster mode only) — the files every core must share, kept the same on all of them: the registry
// (schools, terminals, units, operators, targets) and the consoles' sessions (the key that signs them and the table of
// live ones). The leading core publishes each file whenever it changes (the registry at once, on its change; the
// others within a second) to a subject of its own in a replicated stream (`<stream>_FILES`, the last message per file,
// R3, what JetStream's KV store is made of), and every core, leading or standing by, takes the newest one it has not
// applied into its own file, checked first. So a terminal added on one core is accepted by the next one to lead, and an
// officer's console stays logged in across a failover. Each file stays the core's working copy, in the single
// station's format. Conflicts: the stream's newest wins; only the leader publishes (a standby's own edit is
// overwritten by the next change from the leader). The session key then sits on the NATS servers: give them TLS and
// credentials (docs/scaling.md).
import fs from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, JetStreamApiError, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import path from 'node:path';
import type { Registry } from '../core/registry';
import { replaceFile } from '../core/durableFile';
import { readRegistryFile } from '../core/registryFile';
import { dataFile } from '../core/settings';
import type { NatsAuth } from './natsAuth';
import { natsConnectOptions } from './natsJournal';

/** How often a standby looks for newer files. */
export const FILE_SYNC_MS = 1_000;
/** How often the leader looks for changed ones (a stat of each: a login reaches the stream within this). */
const LEADER_CHECK_MS = 250;
/** A file larger than this (compressed) cannot be sent (the servers' default max_payload is 1 MiB). */
const MAX_PAYLOAD = 1_000_000;
/** A file from the stream larger than this, unpacked, is refused. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** JetStream's "no message found". */
const NO_MESSAGE = 10037;

export interface FileSync {
  /**
   * This core leads now: it takes the newest files first, then publishes its own when they change (and those the stream
   * has none of yet). Resolves when the newest are taken (the caller waits a moment for it, not longer).
   */
  lead(): Promise<void>;
  close(): Promise<void>;
}

interface SharedFile {
  /** Its subject's last token. */
  key: string;
  file: string;
  /** Throws when `text` is not a good file of its kind (nothing is replaced then). */
  check(text: string, tmp: string): void;
  /** After it was replaced. */
  applied?(): void;
  /** What was last published or applied, and the stream sequence of that. */
  text: string;
  seq: number;
  mtimeMs: number;
}

export async function startFileSync(o: {
  servers: string[];
  auth?: NatsAuth;
  stream: string;
  replicas?: number;
  name: string;
  dataDir: string;
  registry: Registry;
  log?: (m: string) => void;
}): Promise<FileSync> {
  const log = o.log ?? ((m: string) => console.log(`cluster files: ${m}`));
  const registryFile = o.registry.path;
  if (!registryFile) throw new Error('cluster mode needs the registry in a file');
  const streamName = `${o.stream}_FILES`;
  const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  const mtime = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
  const shared = (key: string, file: string, check: SharedFile['check'], applied?: () => void): SharedFile => ({
    key,
    file,
    check,
    ...(applied ? { applied } : {}),
    text: read(file),
    seq: 0,
    mtimeMs: mtime(file),
  });
  const files: SharedFile[] = [
    shared(
      'registry',
      registryFile,
      (_text, tmp) => void readRegistryFile(tmp),
      () => {
        const revoked = o.registry.reload();
        if (revoked.length) log(`${revoked.length} devices or units revoked by the new registry`);
      },
    ),
    shared('session-key', dataFile(o.dataDir, 'sessionKey'), (text) => {
      if (Buffer.from(text.trim(), 'base64').length < 32) throw new Error('a session key of fewer than 32 bytes');
    }),
    shared('sessions', dataFile(o.dataDir, 'sessions'), (text) => void JSON.parse(text)),
  ];
  const subjectOf = (f: SharedFile): string => `${streamName}.${f.key}`;
  const nc: NatsConnection = await connect({
    ...natsConnectOptions(o.auth),
    servers: o.servers,
    name: `${o.name}-files`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  const jsm: JetStreamManager = await jetstreamManager(nc, { timeout: 5_000 });
  if (!(await jsm.streams.info(streamName).catch(() => undefined))) {
    await jsm.streams
      .add({
        name: streamName,
        subjects: [`${streamName}.*`],
        num_replicas: o.replicas ?? 3,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_msgs_per_subject: 1,
      })
      .catch(() => undefined); // another core made it at the same moment
  }
  const js = jetstream(nc, { timeout: 5_000 });
  let leading = false;
  let closed = false;

  /**
   * Takes the stream's newest copy of a file when it is newer than the one applied (checked first). 'none': the stream
   * has no copy of it; 'error': the servers did not say (nothing may be concluded, above all not that there is none).
   */
  const pull = async (f: SharedFile): Promise<'taken' | 'current' | 'none' | 'error' | 'refused'> => {
    let m: Awaited<ReturnType<typeof jsm.streams.getMessage>>;
    try {
      m = await jsm.streams.getMessage(streamName, { last_by_subj: subjectOf(f) });
    } catch (e) {
      if (e instanceof JetStreamApiError && e.code === NO_MESSAGE) return 'none';
      log(`could not read the shared ${f.key}: ${(e as Error).message}`);
      return 'error';
    }
    if (!m) return 'none';
    if (m.seq <= f.seq) return 'current';
    f.seq = m.seq;
    let text: string;
    try {
      // Bounded: a message that inflates without end must not take every core's memory.
      text = gunzipSync(m.data, { maxOutputLength: MAX_FILE_BYTES }).toString('utf8');
    } catch (e) {
      log(`${f.key} of message ${m.seq} cannot be read (${(e as Error).message}); the file is kept as it is`);
      return 'refused';
    }
    if (text === f.text && text === read(f.file)) return 'current';
    try {
      replaceFile(f.file, text, { tmp: path.join(path.dirname(f.file), `.${path.basename(f.file)}.cluster-tmp`), check: (tmp) => f.check(text, tmp) });
    } catch (e) {
      log(`${f.key} of message ${m.seq} refused: ${(e as Error).message}`);
      return 'refused';
    }
    f.text = text;
    f.mtimeMs = mtime(f.file);
    f.applied?.();
    log(`took the ${f.key} of message ${m.seq}`);
    return 'taken';
  };

  /**
   * Publishes a file when it differs from what the stream has (the leader only), and only over the copy this core last
   * saw (expected last subject sequence): a core that lost the lead without knowing it cannot overwrite the new
   * leader's files, and a core that could not read the stream cannot replace its files with its own.
   */
  const push = async (f: SharedFile, force = false): Promise<void> => {
    if (!leading || closed) return;
    const m = mtime(f.file);
    if (!force && m === f.mtimeMs) return;
    const text = read(f.file);
    if (text === '' || (text === f.text && f.seq > 0)) return void (f.mtimeMs = m);
    const data = gzipSync(Buffer.from(text, 'utf8'));
    if (data.length > MAX_PAYLOAD) return log(`${f.key.toUpperCase()} NOT REPLICATED: ${data.length} bytes compressed, above ${MAX_PAYLOAD}`);
    try {
      const ack = await js.publish(subjectOf(f), data, { expect: { lastSubjectSequence: f.seq } });
      f.seq = ack.seq;
      f.text = text;
      f.mtimeMs = m;
      log(`published the ${f.key} as message ${ack.seq}`);
    } catch (e) {
      if (!/wrong last sequence/i.test((e as Error).message)) throw e; // tried again at the next tick
      log(`${f.key.toUpperCase()} NOT PUBLISHED: the cluster has a newer one than this core saw (another core leads?)`);
      leading = false; // a leader's files are published by the leader; this core reads them again
    }
  };

  let busy = Promise.resolve();
  const serially = (job: () => Promise<void>): void => {
    busy = busy.then(job).catch((e: unknown) => log(`${(e as Error).message}`));
  };
  const forEach = async (job: (f: SharedFile) => Promise<void>): Promise<void> => {
    for (const f of files) await job(f);
  };
  const stopListening = o.registry.onChange(() => serially(() => push(files[0]!, true)));
  let ticks = 0;
  const timer = setInterval(() => {
    const n = ticks++;
    if (leading) serially(() => forEach(async (f) => void (await push(f))));
    else if (n % (FILE_SYNC_MS / LEADER_CHECK_MS) === 0) serially(() => forEach(async (f) => void (await pull(f))));
  }, LEADER_CHECK_MS);
  await forEach(async (f) => void (await pull(f))).catch((e: unknown) => log(`could not read the shared files at start: ${(e as Error).message}`));

  return {
    lead(): Promise<void> {
      // The caller waits a moment, not longer: the files are at most a second old (the standby took them as they came),
      // and a lost NATS server can hold a read up for seconds, which the alarms must not wait for. The last leader's
      // newest are taken first, then what the stream has none of yet is published.
      let taken: () => void = () => undefined;
      const newest = new Promise<void>((r) => (taken = r));
      serially(async () => {
        // Until the servers have answered for every file: a file is published as the first only when they said there
        // is none (not when they did not answer).
        const known = new Map<SharedFile, string>();
        while (!closed && known.size < files.length) {
          for (const f of files)
            if (!known.has(f)) {
              const r = await pull(f);
              if (r !== 'error') known.set(f, r);
            }
          if (known.size < files.length) await new Promise((r) => setTimeout(r, 500));
        }
        taken();
        leading = true;
        for (const f of files) if (known.get(f) === 'none') await push(f, true);
      });
      return newest;
    },
    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      stopListening();
      await busy;
      await nc.close().catch(() => undefined);
    },
  };
}
