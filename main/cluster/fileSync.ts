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
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import path from 'node:path';
import type { Registry } from '../core/registry';
import { readRegistryFile } from '../core/registryFile';
import { dataFile } from '../core/settings';

/** How often a core looks for newer files, and the leader for changed ones (a change reaches the others within this). */
export const FILE_SYNC_MS = 1_000;
/** A file larger than this (compressed) cannot be sent (the servers' default max_payload is 1 MiB). */
const MAX_PAYLOAD = 1_000_000;

export interface FileSync {
  /** This core leads now: it publishes its files when they change (and soon, those the stream has none of yet). */
  lead(): void;
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
  const nc: NatsConnection = await connect({ servers: o.servers, name: `${o.name}-files`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
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

  /** Takes the stream's newest copy of a file when it is newer than the one applied (checked first). */
  const pull = async (f: SharedFile): Promise<void> => {
    const m = await jsm.streams.getMessage(streamName, { last_by_subj: subjectOf(f) }).catch(() => undefined);
    if (!m || m.seq <= f.seq) return;
    f.seq = m.seq;
    let text: string;
    try {
      text = gunzipSync(m.data).toString('utf8');
    } catch (e) {
      return log(`${f.key} of message ${m.seq} cannot be read (${(e as Error).message}); the file is kept as it is`);
    }
    if (text === f.text && text === read(f.file)) return;
    const tmp = path.join(path.dirname(f.file), `.${path.basename(f.file)}.cluster-tmp`);
    try {
      fs.mkdirSync(path.dirname(f.file), { recursive: true });
      fs.writeFileSync(tmp, text, { mode: 0o600 });
      f.check(text, tmp);
      fs.renameSync(tmp, f.file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      return log(`${f.key} of message ${m.seq} refused: ${(e as Error).message}`);
    }
    f.text = text;
    f.mtimeMs = mtime(f.file);
    f.applied?.();
    log(`took the ${f.key} of message ${m.seq}`);
  };

  /** Publishes a file when it differs from what the stream has (the leader only). */
  const push = async (f: SharedFile, force = false): Promise<void> => {
    if (!leading || closed) return;
    const m = mtime(f.file);
    if (!force && m === f.mtimeMs) return;
    f.mtimeMs = m;
    const text = read(f.file);
    if (text === '' || (text === f.text && f.seq > 0)) return;
    const data = gzipSync(Buffer.from(text, 'utf8'));
    if (data.length > MAX_PAYLOAD) return log(`${f.key.toUpperCase()} NOT REPLICATED: ${data.length} bytes compressed, above ${MAX_PAYLOAD}`);
    const ack = await js.publish(subjectOf(f), data);
    f.seq = ack.seq;
    f.text = text;
  };

  let busy = Promise.resolve();
  const serially = (job: () => Promise<void>): void => {
    busy = busy.then(job).catch((e: unknown) => log(`${(e as Error).message}`));
  };
  const forEach = async (job: (f: SharedFile) => Promise<void>): Promise<void> => {
    for (const f of files) await job(f);
  };
  const stopListening = o.registry.onChange(() => serially(() => push(files[0]!, true)));
  const timer = setInterval(() => serially(() => forEach((f) => (leading ? push(f) : pull(f)))), FILE_SYNC_MS);
  await forEach(pull).catch((e: unknown) => log(`could not read the shared files at start: ${(e as Error).message}`));

  return {
    lead(): void {
      // Not waited for: the files are at most a second old (the standby took them as they came), and a lost NATS server
      // can hold a read up for seconds, which the alarms must not wait for. The last leader's newest are taken first,
      // then what the stream has none of yet is published.
      serially(async () => {
        await forEach(pull);
        leading = true;
        await forEach((f) => (f.seq === 0 ? push(f, true) : Promise.resolve()));
      });
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
