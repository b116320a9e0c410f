// test/ (Node, the cluster tests) — starts real servers on loopback for the cluster tests: three `nats-server`
// processes forming one JetStream cluster (each with its server_name, store folder and a `cluster { routes }` block),
// able to SIGKILL and restart one of them, and HAProxy in TCP mode in front of a set of backends. Every process runs in
// its own process group and is killed by group, at stop() and, failing that, when this test process exits: nothing is
// left running. Ports are free loopback ports found at start; folders are temporary and removed at stop().
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/** A free TCP port on loopback (the OS picks one; a tiny race with other programs is accepted in tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once something accepts TCP connections on the port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * The path of a server program: `$NATS_SERVER` / `$HAPROXY` when set, else the first on PATH, else Debian's /usr/sbin
 * (not on a normal user's PATH).
 */
export function findProgram(name: 'nats-server' | 'haproxy'): string {
  const fromEnv = process.env[name === 'nats-server' ? 'NATS_SERVER' : 'HAPROXY'];
  if (fromEnv) return fromEnv;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  throw new Error(`${name} not found: install it (Debian: apt-get install -y ${name}) or set ${name === 'nats-server' ? 'NATS_SERVER' : 'HAPROXY'}`);
}

/** Every process group started here, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: the server and anything it started
  } catch {
    /* already gone */
  }
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, signal);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

/** Starts a program in its own process group, its output appended to `logFile`. */
function startProcess(cmd: string, args: string[], logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log); // the child keeps its own copy
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export interface NatsNode {
  name: string;
  port: number;
  clusterPort: number;
  url: string;
  storeDir: string;
  configFile: string;
  logFile: string;
  process: ChildProcess | undefined;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** The client URLs of every server (a client given all of them reconnects to another when one dies). */
  readonly urls: string[];
  readonly dir: string;
  /** SIGKILLs one server (no shutdown, no flush: as a power cut looks to the others). */
  kill(i: number): Promise<void>;
  /** Starts a killed server again with the same name, ports and store folder. */
  restart(i: number): Promise<void>;
  /** The last lines of a server's log (for a failing test's message). */
  logTail(i: number, lines?: number): string;
  /** Stops every server (SIGTERM, then SIGKILL after a grace) and removes the temporary folder. */
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  size?: number;
  /** Cluster name (the `cluster { name }`); also used in server names. */
  name?: string;
  /** Waits until a stream with replicas = size can be created (default true). */
  waitForJetStream?: boolean;
  timeoutMs?: number;
}

function natsConfig(node: NatsNode, clusterName: string, routes: number[]): string {
  // JSON strings are valid NATS config strings; the paths are quoted so a space in them does no harm.
  return [
    `server_name: ${JSON.stringify(node.name)}`,
    `listen: "127.0.0.1:${node.port}"`,
    `jetstream {`,
    `  store_dir: ${JSON.stringify(node.storeDir)}`,
    `  max_memory_store: 64MB`,
    `  max_file_store: 1GB`,
    `}`,
    `cluster {`,
    `  name: ${JSON.stringify(clusterName)}`,
    `  listen: "127.0.0.1:${node.clusterPort}"`,
    `  routes: [${routes.map((p) => JSON.stringify(`nats-route://127.0.0.1:${p}`)).join(', ')}]`,
    `}`,
    '',
  ].join('\n');
}

function spawnNats(node: NatsNode): ChildProcess {
  return startProcess(findProgram('nats-server'), ['-c', node.configFile], node.logFile);
}

/**
 * Waits until JetStream in the cluster has a meta leader and enough peers to place a stream with `replicas`
 * replicas: creates and deletes a probe stream until that succeeds.
 */
export async function waitForJetStream(urls: string[], replicas: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const nc = await connect({ servers: urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  try {
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        const name = `probe_${process.pid}_${Date.now()}`;
        await jsm.streams.add({ name, subjects: [`${name}.>`], num_replicas: replicas });
        await jsm.streams.delete(name);
        return;
      } catch (e) {
        last = e;
        await sleep(200);
      }
    }
    throw new Error(`JetStream did not accept an R${replicas} stream within ${timeoutMs} ms: ${(last as Error)?.message}`);
  } finally {
    await nc.close();
  }
}

export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const clusterName = options.name ?? 'station';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nats-cluster-'));
  const nodes: NatsNode[] = [];
  for (let i = 0; i < size; i++) {
    const name = `${clusterName}-n${i + 1}`;
    const storeDir = path.join(dir, name);
    fs.mkdirSync(storeDir);
    nodes.push({
      name,
      port: await freePort(),
      clusterPort: await freePort(),
      url: '',
      storeDir,
      configFile: path.join(dir, `${name}.conf`),
      logFile: path.join(dir, `${name}.log`),
      process: undefined,
    });
  }
  for (const node of nodes) {
    node.url = `nats://127.0.0.1:${node.port}`;
    const routes = nodes.filter((n) => n !== node).map((n) => n.clusterPort);
    fs.writeFileSync(node.configFile, natsConfig(node, clusterName, routes));
  }

  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((n) => n.url),
    dir,
    async kill(i) {
      const node = nodes[i]!;
      if (node.process) await stopChild(node.process, 'SIGKILL');
      node.process = undefined;
    },
    async restart(i) {
      const node = nodes[i]!;
      if (node.process) throw new Error(`${node.name} is running`);
      node.process = spawnNats(node);
      await waitForPort(node.port, options.timeoutMs ?? 15_000);
    },
    logTail(i, lines = 30) {
      try {
        return fs.readFileSync(nodes[i]!.logFile, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop() {
      await Promise.all(nodes.map((n) => (n.process ? stopChild(n.process, 'SIGTERM') : Promise.resolve())));
      for (const n of nodes) n.process = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    for (const node of nodes) node.process = spawnNats(node);
    await Promise.all(nodes.map((n) => waitForPort(n.port, options.timeoutMs ?? 15_000)));
    if (options.waitForJetStream ?? true) await waitForJetStream(cluster.urls, size, options.timeoutMs ?? 30_000);
  } catch (e) {
    const logs = nodes.map((_, i) => `--- ${nodes[i]!.name}\n${cluster.logTail(i, 10)}`).join('\n');
    await cluster.stop();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
  return cluster;
}

export interface Haproxy {
  port: number;
  process: ChildProcess;
  configFile: string;
  stop(): Promise<void>;
}

/**
 * HAProxy in TCP mode on a free loopback port, round-robin over `backends` with a TCP health check every 500 ms (a
 * backend that stops accepting is taken out after two failed checks; new connections go to the others).
 */
export async function startHaproxy(backends: readonly { host?: string; port: number }[], options: { timeoutMs?: number } = {}): Promise<Haproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haproxy-'));
  const port = await freePort();
  const configFile = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    configFile,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      // Long-lived sockets (socket.io, NATS): idle timeouts well above their heartbeats.
      '  timeout client 1h',
      '  timeout server 1h',
      '  option redispatch',
      '  retries 2',
      'frontend in',
      `  bind 127.0.0.1:${port}`,
      '  default_backend cores',
      'backend cores',
      '  balance roundrobin',
      '  default-server inter 500ms fall 2 rise 1',
      ...backends.map((b, i) => `  server b${i} ${b.host ?? '127.0.0.1'}:${b.port} check`),
      '',
    ].join('\n'),
  );
  // -db: stay in the foreground (no daemon), so the process group we kill is HAProxy itself.
  const child = startProcess(findProgram('haproxy'), ['-db', '-f', configFile], path.join(dir, 'haproxy.log'));
  const stop = async (): Promise<void> => {
    await stopChild(child, 'SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, options.timeoutMs ?? 10_000);
  } catch (e) {
    const log = fs.existsSync(path.join(dir, 'haproxy.log')) ? fs.readFileSync(path.join(dir, 'haproxy.log'), 'utf8') : '';
    await stop();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return { port, process: child, configFile, stop };
}

// ---------------------------------------------------------------- station cores in cluster mode

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ClusterCore {
  name: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  out: () => string;
  /** Resolves when the core listens (it leads); rejects if it exits first. */
  leading: Promise<void>;
  exited: Promise<number | null>;
}

/**
 * A station core (dist/main/start.js, `npm run build` first) in cluster mode on the given NATS servers: it follows the
 * stream and listens on `port` once it leads. Demo data (`--demo`) unless extraArgs say more.
 */
export function startClusterCore(o: { name: string; port: number; dataDir: string; natsUrls: string[]; stream?: string; extraArgs?: string[] }): ClusterCore {
  const entry = path.join(ROOT, 'dist', 'main', 'start.js');
  if (!fs.existsSync(entry)) throw new Error('dist/main/start.js is missing: run `npm run build` first');
  const child = spawn(process.execPath, [entry, '--web', '--demo', '--port', String(o.port), '--data-dir', o.dataDir, ...(o.extraArgs ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      STATION_HOST: '127.0.0.1',
      STATION_CLUSTER_NATS: o.natsUrls.join(','),
      STATION_CLUSTER_NAME: o.name,
      STATION_CLUSTER_STREAM: o.stream ?? 'STATION',
      STATION_FRONT: 'inline',
    },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const leading = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (/console: http/.test(out)) resolve();
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`${o.name} exited (${code}) before it led:\n${out.slice(-3000)}`)));
  });
  leading.catch(() => undefined);
  return { name: o.name, port: o.port, dataDir: o.dataDir, child, out: () => out, leading, exited };
}

export async function killCore(core: ClusterCore): Promise<void> {
  if (core.child.exitCode === null && core.child.signalCode === null) core.child.kill('SIGKILL');
  await core.exited;
}
