// main/ (core, Node; cluster mode only) — the registry (schools, terminals, units, operators, targets) kept the same on
// every core: the leading core publishes its registry file whenever it changes (admin screen, CLI, import) to a subject
// of its own in a replicated stream (`<stream>_REGISTRY`, the last message only, R3), and every core, leading or
// standing by, takes the newest one it has not applied into its own file and reloads. So a terminal added on one core
// is accepted by the next one to lead. The file stays each core's working copy (the single station's format).
// Conflicts: the stream's newest message wins; only a leading core publishes (a standby's local edit is overwritten
// by the next change from the leader, and said so in its log).
import fs from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { Registry } from '../core/registry';
import { readRegistryFile } from '../core/registryFile';

/** How often a core looks for a newer registry (a change reaches the other cores within this). */
export const REGISTRY_POLL_MS = 1_000;
/** A registry larger than this (compressed) cannot be sent (the servers' default max_payload is 1 MiB). */
const MAX_PAYLOAD = 1_000_000;

export interface RegistrySync {
  /** This core leads now: it publishes its registry when it changes (and now, if the stream has none yet). */
  lead(): Promise<void>;
  close(): Promise<void>;
}

export async function startRegistrySync(o: {
  servers: string[];
  stream: string;
  replicas?: number;
  name: string;
  registry: Registry;
  log?: (m: string) => void;
}): Promise<RegistrySync> {
  const log = o.log ?? ((m: string) => console.log(`cluster registry: ${m}`));
  const file = o.registry.path;
  if (!file) throw new Error('cluster mode needs the registry in a file');
  const streamName = `${o.stream}_REGISTRY`;
  const subject = `${streamName}.file`;
  const nc: NatsConnection = await connect({ servers: o.servers, name: `${o.name}-registry`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const jsm: JetStreamManager = await jetstreamManager(nc, { timeout: 5_000 });
  if (!(await jsm.streams.info(streamName).catch(() => undefined))) {
    await jsm.streams
      .add({
        name: streamName,
        subjects: [subject],
        num_replicas: o.replicas ?? 3,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_msgs_per_subject: 1,
      })
      .catch(() => undefined); // another core made it at the same moment
  }
  const js = jetstream(nc, { timeout: 5_000 });
  let applied = 0; // the stream sequence of the registry this core's file holds
  let leading = false;
  let closed = false;
  let lastText = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';

  /** Takes the stream's newest registry into the file when it is newer than the one applied. */
  const pull = async (): Promise<void> => {
    const m = await jsm.streams.getMessage(streamName, { last_by_subj: subject }).catch(() => undefined);
    if (!m || m.seq <= applied) return;
    let text: string;
    try {
      text = gunzipSync(m.data).toString('utf8');
    } catch (e) {
      applied = m.seq;
      return log(`registry message ${m.seq} cannot be read (${(e as Error).message}); kept the file as it is`);
    }
    applied = m.seq;
    if (text === lastText) return;
    // Checked like any registry file before it replaces this one; a bad one changes nothing.
    const tmp = `${file}.cluster-tmp`;
    try {
      fs.writeFileSync(tmp, text, { mode: 0o600 });
      readRegistryFile(tmp);
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      return log(`registry message ${m.seq} refused: ${(e as Error).message}`);
    }
    lastText = text;
    const revoked = o.registry.reload();
    log(`took the registry of message ${m.seq}${revoked.length ? ` (${revoked.length} devices or units revoked)` : ''}`);
  };

  /** Publishes the file when it differs from what the stream has (the leader only). */
  const push = async (): Promise<void> => {
    if (!leading || closed) return;
    const text = fs.readFileSync(file, 'utf8');
    if (text === lastText && applied > 0) return;
    const data = gzipSync(Buffer.from(text, 'utf8'));
    if (data.length > MAX_PAYLOAD) return log(`REGISTRY NOT REPLICATED: ${data.length} bytes compressed, above ${MAX_PAYLOAD}`);
    const ack = await js.publish(subject, data);
    applied = ack.seq;
    lastText = text;
  };

  let busy = Promise.resolve();
  const serially = (f: () => Promise<void>): void => {
    busy = busy.then(f).catch((e: unknown) => log(`${(e as Error).message}`));
  };
  const stopListening = o.registry.onChange(() => serially(push));
  const timer = setInterval(() => serially(pull), REGISTRY_POLL_MS);
  await pull().catch((e: unknown) => log(`could not read the replicated registry at start: ${(e as Error).message}`));

  return {
    async lead(): Promise<void> {
      await pull(); // the last leader's newest first
      leading = true;
      if (applied === 0) await push(); // the first core ever to lead: its file is the registry
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
