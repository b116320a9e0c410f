// main/ (core, Node) — assembles the station: journal, registry, sessions, HTTP and socket.io on one port.
// Runs headless (npm start -- --web) and inside the Electron shell alike.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { HealthDiff } from '../shared/consoleApi';
import { Admission, HandshakeGate, protocolParser, type AdmissionLimits } from './gateway/admission';
import { ConfigError, type StationConfig } from './config';
import { loadDemoRegistry, withDemoStations } from './demo';
import { generateJournal } from './demoYear';
import { attachConsoleNamespace, attachTerminalNamespace, attachUnitNamespace } from './gateway/gateway';
import { contentSecurityPolicy, makeRequestHandler } from './gateway/http';
import { startFront, type Front, type FrontLimits } from './gateway/front';
import { BackupScheduler, type BackupStatus } from './core/backup';
import { describeProblem, openJournal, type Journal } from './core/journal';
import { openClusterJournal } from './cluster/clusterJournal';
import { startFileSync, type FileSync } from './cluster/fileSync';
import { FairWebSocketServer, ReadBudget } from './gateway/readBudget';
import { capture as captureSnapshot, loadSnapshot, SNAPSHOT_AT_START, SnapshotWriter } from './core/snapshot';
import { Registry } from './core/registry';
import { hashSecret, newToken } from './core/secrets';
import { PasswordHasher } from './core/passwords';
import { Sessions } from './core/sessions';
import { consoleSettings, dataFile, SOCKET_FRAME_BYTES } from './core/settings';
import { Station, StationRestore } from './core/station';
import { LiveTiles, openStationTiles, tryTileSource } from './gateway/tiles';
import { SettingsAdmin } from './core/settingsAdmin';
import { tileConfigOf } from './config';
import { DEFAULT_VOLUMES, formatSemesters, type MapSource, type StationSettings } from '../shared/stationSettings';

/**
 * The listening socket's accept queue (Node's default is 511; Linux caps it at net.core.somaxconn, 4096 on current
 * kernels). A burst of connections from one address fills a short queue, and a school's terminal connecting then
 * has its SYN dropped and retried a second later; with room in the queue it is accepted in turn, and Admission
 * closes the burst's excess cheaply.
 */
export const LISTEN_BACKLOG = 4096;

export interface RunningCore {
  station: Station;
  /** Connection bounds (main/gateway/admission.ts): its limits and what it refused, for tests and health. */
  admission: Admission;
  /** The front process (main/gateway/front.ts), when the core was started with one. */
  front?: Front;
  url: string;
  port: number;
  credentialsFile?: string;
  /** The daily backup (config.backup, main/core/backup.ts): its folder, last result and last error; absent when off. */
  backups?: { status(): BackupStatus; runNow(): Promise<void> };
  /** The Content-Security-Policy in force (it follows the map source, which an admin may change while the station runs). */
  contentSecurityPolicy(): string;
  /** Writes a state snapshot now (main/core/snapshot.ts; the core also writes them on its own). */
  writeSnapshot(): Promise<void>;
  close(): Promise<void>;
}

/** On a real station's first start there is no operator yet: create `admin` and say its password once. */
async function ensureFirstAdmin(registry: Registry, dataDir: string): Promise<void> {
  if (registry.operatorCount() > 0) return;
  const password = newToken();
  const secret = await hashSecret(password);
  registry.update((d) => d.operators.push({ username: 'admin', displayName: '管理员', role: 'admin', secret, disabled: false }));
  const file = dataFile(dataDir, 'initialAdminPassword');
  fs.writeFileSync(file, `username: admin\npassword: ${password}\n`, { mode: 0o600 });
  console.log(`first start: created operator "admin"; its password is in ${file} (delete the file once noted)`);
}

/**
 * --demo-year: a demo data folder without a journal starts with a generated year of it (main/demoYear.ts), ending
 * half a day ago; a folder that has a journal keeps it.
 */
function demoYear(dataDir: string, registry: Registry, records: number, now: number): void {
  const file = dataFile(dataDir, 'journal');
  if (fs.existsSync(file) && fs.statSync(file).size > 0) {
    console.log(`demo: ${dataDir} already has a journal; --demo-year keeps it (use a new --data-dir for a fresh year)`);
    return;
  }
  const d = registry.snapshot;
  console.log(`demo: generating a year of ${records.toLocaleString('en')} journal records for ${d.schools.length} schools (once, in ${dataDir})…`);
  const g = generateJournal(
    file,
    {
      terminals: d.terminals.map((t) => ({ deviceId: t.deviceId, schoolId: t.schoolId })),
      units: d.units.map((u) => ({ id: u.id, hasDevice: u.hasDevice })),
      officers: d.operators
        .filter((o) => o.role === 'officer' || o.role === 'chief')
        .map(({ username, displayName, role }) => ({ username, displayName, role })),
      schools: d.schools.map((s) => ({ id: s.id })),
      guardPosts: d.guardPosts,
    },
    { records, seed: 20240901, endAt: now - 12 * 3600_000 },
  );
  console.log(`demo: ${g.records.toLocaleString('en')} records, ${g.incidents.toLocaleString('en')} incidents, in ${(g.ms / 1000).toFixed(1)} s`);
}

/** The admin CLI edits the registry file; the running core re-reads it when it changes (atomic rename). */
function watchRegistry(registry: Registry, station: Station): () => void {
  const file = registry.path;
  if (!file) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const watcher = fs.watch(path.dirname(file), (_event, name) => {
    if (name !== path.basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => station.admin.reloadRegistry(), 20);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/** The settings on the admin screen (main/core/settingsAdmin.ts), with the map source machinery of the gateway. */
function startSettings(config: StationConfig, station: Station, tiles: LiveTiles, mapSourceProblem: string | undefined): SettingsAdmin {
  const configOf = (source: MapSource) =>
    tileConfigOf(source, (m) => {
      throw new Error(m);
    });
  const effective: StationSettings = {
    port: config.port,
    host: config.host,
    dataDir: config.dataDir,
    ...(config.tlsCert && config.tlsKey ? { tls: { cert: config.tlsCert, key: config.tlsKey } } : {}),
    ...(config.timeZone !== undefined ? { timeZone: config.timeZone } : {}),
    ...(config.semesters !== undefined ? { semesters: formatSemesters(config.semesters) } : {}),
    ...(config.fileSettings?.stationName !== undefined ? { stationName: config.fileSettings.stationName } : {}),
    mapSource: mapSourceOf(config),
    volumes: config.volumes ?? { ...DEFAULT_VOLUMES },
  };
  const admin = new SettingsAdmin(
    station.ledger,
    {
      file: config.settingsFile!,
      named: config.settingsFileNamed ?? false,
      saved: config.fileSettings ?? {},
      sources: config.sources ?? {},
      effective,
      console: { unitStaleMs: config.unitStaleMs, ...(config.resolvedLingerMs !== undefined ? { resolvedLingerMs: config.resolvedLingerMs } : {}) },
      ...(mapSourceProblem !== undefined ? { mapSourceProblem } : {}),
    },
    {
      tryMapSource: async (source) => {
        try {
          return await tryTileSource(configOf(source));
        } catch (e) {
          return { ok: false, message: (e as Error).message };
        }
      },
      applyMapSource: (source) => tiles.replace(configOf(source)),
      consoleTiles: () => tiles.current.map,
    },
  );
  admin.applyFileAtStart();
  return admin;
}

/** The map source in force at start, as the settings file writes it. */
function mapSourceOf(config: StationConfig): MapSource {
  const t = config.tiles;
  if (!t) return { kind: 'none' };
  const extra = { ...(t.attribution !== undefined ? { attribution: t.attribution } : {}), ...(t.maxZoom !== undefined ? { maxZoom: t.maxZoom } : {}) };
  return t.kind === 'xyz' ? { kind: 'url', url: t.url, ...extra } : { kind: 'local', path: t.path, ...extra };
}

export interface CoreOptions {
  /** Connection bounds; each one defaults to defaultLimits() (main/gateway/admission.ts: derived from the fd limit). */
  limits?: Partial<AdmissionLimits>;
  /** Each device's read budget (main/gateway/readBudget.ts); defaults to DEVICE_READS_PER_S and DEVICE_READ_BURST. */
  deviceReads?: { perSecond: number; burst: number };
  /**
   * The front's script (dist/main/front.js): a process of its own accepts the connections and hands them over
   * (main/gateway/front.ts). Without it the core listens itself (the Electron shell, tests of the core alone).
   */
  front?: { script: string; limits?: Partial<FrontLimits> };
}

/**
 * Cluster mode: follows the NATS stream, folding it into `restored`, until this core holds the lease and has read
 * the log to its end (main/cluster/clusterJournal.ts). A core that may no longer write exits: its supervisor starts it
 * again, as a standby, and the one that leads now serves.
 */
async function leadCluster(config: StationConfig, restored: StationRestore, registry: Registry): Promise<{ journal: Journal; files: FileSync }> {
  const c = config.cluster!;
  // The registry and the sessions first: a standby keeps its files the same as the leader's (main/cluster/fileSync.ts).
  const files = await startFileSync({ servers: c.servers, auth: c.auth, stream: c.stream, name: c.name, dataDir: config.dataDir, registry });
  const journal = openClusterJournal({
    servers: c.servers,
    auth: c.auth,
    stream: c.stream,
    name: c.name,
    workerScript: path.join(path.dirname(config.consoleDir), 'main', 'journalWorker.js'),
    onRecord: restored.onRecord,
    onFenced: (reason) => {
      console.error(`cluster: STEPPING DOWN (${reason}); exiting so that the core that leads serves`);
      process.exit(EXIT_STEPPED_DOWN);
    },
  });
  console.log(`cluster: ${c.name} follows stream ${c.stream} on ${c.servers.join(', ')}; it listens once it leads`);
  await journal.leading;
  // The newest registry and sessions before the sessions are opened (a login of the last second then survives the
  // failover), unless the servers take longer than a moment to say.
  await Promise.race([files.lead(), new Promise((r) => setTimeout(r, 1_500))]);
  return { journal, files };
}

/** The exit code of a core that stepped down (cluster mode): not a failure, start it again. */
export const EXIT_STEPPED_DOWN = 75;

export async function startCore(config: StationConfig, now: () => number = Date.now, options: CoreOptions = {}): Promise<RunningCore> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  // First, so a tile archive given by a flag or the environment that cannot be read stops the start before anything
  // else is open. One from the settings file (saved on the admin screen, perhaps on a drive that is gone since) never
  // stops the station: it starts on the county outline and says so loudly.
  let mapSourceProblem = config.mapSourceProblem;
  const fromFile = config.sources?.mapSource === 'file';
  const tiles = new LiveTiles(
    await openStationTiles(config.tiles, (m) => new ConfigError(m)).catch(async (e: unknown) => {
      if (!fromFile || !(e instanceof ConfigError)) throw e;
      mapSourceProblem = `${config.settingsFile}, field mapSource: ${e.message}`;
      return openStationTiles(undefined);
    }),
  );
  if (mapSourceProblem) console.error(`station: MAP SOURCE NOT IN FORCE, the county outline is shown instead: ${mapSourceProblem}`);
  const assetsDir = path.resolve(config.consoleDir, '..', '..', 'assets');
  let registry: Registry;
  let credentialsFile: string | undefined;
  if (config.demo) {
    const size = {
      ...(config.demoSchools !== undefined ? { schools: config.demoSchools } : {}),
      ...(config.demoUnits !== undefined ? { units: config.demoUnits } : {}),
    };
    ({ registry, credentialsFile } = await loadDemoRegistry(config.dataDir, assetsDir, size));
    // Split into two stations with a county command account, or back into one (issue 15).
    if (config.demoStations || registry.stations().length > 0) registry.update((d) => withDemoStations(d, config.demoStations === true));
    if (config.demoYear) demoYear(config.dataDir, registry, config.demoYear.records, now());
  } else {
    registry = Registry.load(dataFile(config.dataDir, 'registry'));
    await ensureFirstAdmin(registry, config.dataDir);
  }
  // The journal is folded as it streams in, from the state snapshot's point when there is one that fits it: a
  // year of records opens in seconds with bounded memory.
  const openedAt = Date.now();
  // In cluster mode the log is the NATS stream: no file, no file snapshot; the core waits here until it leads.
  const snapshot = config.cluster ? undefined : loadSnapshot(config.dataDir, dataFile(config.dataDir, 'journal'));
  const restored = new StationRestore(snapshot);
  const cluster = config.cluster ? await leadCluster(config, restored, registry) : undefined;
  const journal: Journal = cluster
    ? cluster.journal
    : openJournal(config.dataDir, {
        onRecord: restored.onRecord,
        now,
        verifyChain: 'background',
        ...(snapshot ? { resume: snapshot.anchor } : {}),
      });
  const readAfter = journal.lastSeq - (snapshot?.anchor.seq ?? 0);
  console.log(
    snapshot
      ? `journal: ${journal.lastSeq} records, from the snapshot at seq ${snapshot.anchor.seq} and ${readAfter} read after it, in ${Date.now() - openedAt} ms`
      : `journal: ${journal.lastSeq} records read in ${Date.now() - openedAt} ms`,
  );
  for (const p of journal.problems) console.warn(`journal: ${p.kind} at line ${p.line}: ${p.detail}`);
  const station = new Station(journal, registry, {
    now,
    heartbeatMs: config.heartbeatMs,
    restored,
    ...(config.testOverdueMs !== undefined ? { testOverdueMs: config.testOverdueMs } : {}),
    ...(config.timeZone !== undefined ? { timeZone: config.timeZone } : {}),
  });
  const snapshots = new SnapshotWriter(config.dataDir, () =>
    captureSnapshot(journal, station.ledger.state, station.ledger.statuses, now(), station.ledger.targetChanges, station.ledger.plan),
  );
  if (!config.cluster) station.subscribe({ record: () => snapshots.recorded() });
  // A start that had many records to read writes a snapshot soon (after it listens), so the next start does not.
  // After the background check of the chain: both at once make garbage faster than V8 collects it (peak RSS +300 MiB).
  let firstSnapshot: ReturnType<typeof setTimeout> | undefined;
  if (readAfter >= SNAPSHOT_AT_START) void journal.chainChecked.finally(() => (firstSnapshot = setTimeout(() => void snapshots.write(), 2000)));
  const stopWatching = watchRegistry(registry, station);
  const superviseTimer = setInterval(
    () => {
      station.devices.supervise();
      station.tests.supervise();
    },
    Math.min(1000, config.heartbeatMs),
  );
  const sessions = Sessions.open(config.dataDir, { idleMs: config.sessionIdleMs, stampOf: (u) => registry.operatorStamp(u) });
  sessions.startSweeping(now);
  // A password reset or a disable ends that operator's sessions (and their open consoles) at once.
  const stopSessionSweep = registry.onChange(() => sessions.sweep(now()));
  const passwords = new PasswordHasher();
  const journalId = journal.journalId;

  // The daily backup: the journal up to the core's own durable position, taken between other work. Started once the
  // core listens (below); /api/health reports it.
  if (config.backup && config.cluster) console.warn('backup: off in cluster mode: the log is backed up from the NATS servers (docs/scaling.md)');
  const backups =
    config.backup && !config.cluster
      ? new BackupScheduler(
          config.dataDir,
          config.backup,
          () => ({ anchor: journal.position(), journalId: journal.journalId, incidentIdHighWater: journal.incidentIdHighWater }),
          { now, ...(config.timeZone !== undefined ? { timeZone: config.timeZone } : {}) },
        )
      : undefined;
  const handler = makeRequestHandler({
    consoleDir: config.consoleDir,
    registry: () => registry,
    sessions,
    passwords,
    now,
    tiles: () => tiles.current,
    passwordChanged: (op) => station.admin.passwordChanged(op),
    health: () => {
      const b = backups?.status();
      return {
        ...(config.cluster ? { cluster: { stream: config.cluster.stream, leading: true } } : {}),
        ...(b ? { backup: { at: b.at, running: b.running, lastAt: b.last?.at ?? null, lastErrorAt: b.lastError?.at ?? null } } : {}),
      };
    },
  });
  const settingsAdmin = config.settingsFile ? startSettings(config, station, tiles, mapSourceProblem) : undefined;
  const tls = config.tlsCert && config.tlsKey;
  const admission = new Admission(options.limits);
  const server = tls
    ? https.createServer(
        // A TLS handshake that does not finish is as pending as a socket that says nothing.
        { cert: fs.readFileSync(config.tlsCert!), key: fs.readFileSync(config.tlsKey!), handshakeTimeout: admission.limits.pendingTimeoutMs },
        handler,
      )
    : http.createServer(handler);
  const io = new Server(server, {
    // The protocol's 16 KiB rule is checked per message by the parsers, which answer invalid_payload; only a
    // frame beyond 1 MiB makes Engine.IO close that one socket. It cannot be lower: an admin's import is one
    // frame of up to ~1 MB (renderer/store.ts importData). It is one frame at a time, released once read; a
    // connection holds no more than that because binary attachments are refused (protocolParser), and pending
    // connections, which could each be in the middle of such a frame, are bounded (Admission: maxPending).
    maxHttpBufferSize: SOCKET_FRAME_BYTES,
    serveClient: false,
    // One message per turn of the event loop from each connection (main/gateway/readBudget.ts).
    wsEngine: FairWebSocketServer,
    cors: { origin: false },
    // No binary attachments: such a packet closes the connection (main/gateway/admission.ts).
    parser: protocolParser(),
    // New Engine.IO sessions are bounded per address and in total; an unauthenticated one is closed after
    // pendingTimeoutMs (by Admission; socket.io's own connectTimeout does the same for one that joins nothing).
    allowRequest: admission.allowRequest,
    connectTimeout: admission.limits.pendingTimeoutMs,
  });
  admission.attach(server, io, Boolean(tls));
  // One gate for both device namespaces: their scrypt checks share its bounds (main/gateway/admission.ts).
  const gate = new HandshakeGate(now);
  gate.onHold = admission.releasable;
  // One read budget for both device namespaces (keyed by kind and id).
  const reads = new ReadBudget(() => performance.now(), options.deviceReads?.perSecond, options.deviceReads?.burst);
  attachTerminalNamespace(io, station, now, gate, reads);
  const stopUnits = attachUnitNamespace(io, station, now, gate, reads);
  const toConsoles = attachConsoleNamespace(io, station, sessions, now, journalId, consoleSettings(config), settingsAdmin);
  // The chain of the journal is checked after the core listens (in slices): a break found then reaches every console.
  void journal.chainChecked.then((p) => {
    if (!p) return;
    console.warn(`journal: ${describeProblem(p)}`);
    io.of('/console').to('live').emit('journalProblems', journal.problems.map(describeProblem));
  });
  // Device health changes all the time (heartbeats). Consoles get the whole table when they connect and then,
  // every 2 s, only the terminals that changed: with 1,000 terminals the whole table is ~160 KB, and parsing it
  // every 2 s on every console would sit in front of the next alarm.
  const healthDiff = new HealthDiff();
  healthDiff.next(station.devices.health());
  // A console that connects gets a table taken at another moment than the last send; so do all of them after a
  // registry change. Forgetting what was sent makes the next send whole, which overwrites anything such a
  // table got wrong (a value that changed and changed back between two sends).
  io.of('/console').on('connection', () => healthDiff.reset());
  station.subscribe({ registryChanged: () => healthDiff.reset() });
  const healthTimer = setInterval(() => {
    const change = healthDiff.next(station.devices.health());
    if (change.changed.length > 0 || change.removed.length > 0) toConsoles.healthChanged(change);
  }, 2000);
  // Unit positions: at most once a second, and only when something moved.
  let unitsSent = station.units.version;
  const unitsTimer = setInterval(() => {
    if (station.units.version === unitsSent) return;
    unitsSent = station.units.version;
    toConsoles.units(station.units.unitsLive());
  }, 1000);

  let front: Front | undefined;
  let port: number;
  if (options.front) {
    front = await startFront(server, {
      script: options.front.script,
      port: config.port,
      host: config.host,
      backlog: LISTEN_BACKLOG,
      tls: Boolean(tls),
      // Connections whose head is not in are what Admission calls idle: the same bounds.
      limits: {
        headTimeoutMs: admission.limits.pendingTimeoutMs,
        maxWaitingPerAddress: admission.limits.maxPendingPerAddress,
        maxWaiting: admission.limits.maxPending,
        evictAfterMs: admission.limits.evictAfterMs,
        ...options.front.limits,
      },
    });
    port = front.port;
    // The server does not listen itself; this starts its tracking of connections (timeouts, closeAllConnections).
    server.emit('listening');
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  }
  // The daily backup (made above, started now that the core listens).
  if (backups && config.backup) {
    backups.start();
    console.log(`backup: daily at ${config.backup.at} (station time) into ${config.backup.dir}, keeping ${config.backup.keep}`);
  }
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${port}/`;
  if (!tls && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    console.warn(`warning: listening on ${config.host} without TLS; set STATION_TLS_CERT and STATION_TLS_KEY outside a closed network`);
  }
  return {
    station,
    admission,
    ...(front ? { front } : {}),
    url,
    port,
    ...(credentialsFile ? { credentialsFile } : {}),
    ...(backups ? { backups } : {}),
    writeSnapshot: () => (config.cluster ? Promise.resolve() : snapshots.write()),
    contentSecurityPolicy: () => contentSecurityPolicy(tiles.current.config),
    close: async () => {
      await front?.close(); // no new connection from here on
      stopWatching();
      await snapshots.close(); // no first snapshot after this either
      await backups?.close(); // a backup under way finishes before the journal closes
      clearTimeout(firstSnapshot);
      clearInterval(superviseTimer);
      clearInterval(healthTimer);
      clearInterval(unitsTimer);
      stopUnits();
      admission.close();
      const closed = new Promise<void>((resolve) => void io.close(() => resolve()));
      // A browser's keep-alive connection would hold the close up until it times out (a minute in tests).
      server.closeAllConnections();
      await closed;
      stopSessionSweep();
      sessions.close(now());
      await passwords.close();
      journal.close();
      await cluster?.files.close();
      await tiles.close();
    },
  };
}
