// tools/bench (tool, Node) — `npm run bench:flood`: does a flood of junk events from one device slow down the alarm acks of
// the others? Requirement: 100 junk events per second from one device raise the p99 of the other devices' alarm
// acks (emit → ack, measured in this process with performance.now()) by no more than 10 %.
//
// The real core runs as a child process. Ten honest demo terminals press alarms in turn (one every 20 ms); one more
// terminal floods: unknown events, invalid heartbeats/alarms/cancels and valid heartbeats beyond the rate limit.
// Junk alarms are always invalid (bad kind …), so they create no incidents. Baseline (A) and flood (B) blocks are
// interleaved (A B A B A B) so that a drifting machine affects both alike; the pooled figures are compared.
//
// Two more floods (issue 9), each against a fresh core:
// - alarm flood: one valid device sends `alarm`s with fresh alarmIds (1,000 a second) while the ten honest terminals
//   press, in rounds of a block without and a block with the flood; the honest acks' p99 without vs with the flood
//   (target: within 10 %), and where an honest violence alarm
//   pressed mid-flood lands in the queue of a real console in Chromium (target: at the top — at most the flooding
//   device's own one incident above it) and how late it is shown;
// - login flood: bursts of 1,500 concurrent /api/login with wrong passwords (from another loopback address) while
//   new terminals connect (first handshake: a real token check) and press, and the honest terminals press; the
//   handshake and ack p99 without vs with the bursts (target: within 10 %), and with the same bursts at a stand-in
//   (the control), in rounds of three blocks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Socket } from 'socket.io-client';
import { startCoreProcess } from '../../test/support/core';
import { cleanupCore, procCpuMs, round2, runBench, sleep, startWatchdog, stats, type Stats } from './common';
import { type Block, cleanupAll, connectTerminal, onCleanup, type Options, parseArgs, pressBlock, progress, row } from './floodCommon';
import { alarmFlood, flooderMain } from './floodAlarm';
import { bursterMain, LOGIN_BURST_LIMIT_MS, loginFlood, standinMain } from './floodLogin';

const JUNK: { name: string; event: string; payload: () => unknown }[] = [
  { name: 'unknown event', event: 'junk', payload: () => ({ x: Math.random() }) },
  { name: 'invalid heartbeat', event: 'heartbeat', payload: () => ({ sentAt: -1, battery: 'full' }) },
  { name: 'invalid alarm (bad kind)', event: 'alarm', payload: () => ({ alarmId: 'junk', kind: 'bogus', raisedAt: Date.now() }) },
  { name: 'valid heartbeat', event: 'heartbeat', payload: () => ({ sentAt: Date.now(), battery: 80, powerSource: 'mains' }) },
  { name: 'invalid alarm (no alarmId)', event: 'alarm', payload: () => ({ kind: 'panic', raisedAt: 'yesterday' }) },
  { name: 'invalid cancel', event: 'cancel', payload: () => ({ alarmId: '!!', reason: 42 }) },
];

interface FloodTally {
  sent: number;
  answered: Record<string, Record<string, number>>; // junk kind → answer (ok / error code / timeout) → count
}

/** Sends junk at `rate` per second (fixed schedule) until stopped; resolves once every ack has come back. */
function startFlood(socket: Socket, rate: number, tally: FloodTally): { stop(): Promise<void> } {
  let stopped = false;
  const pending: Promise<void>[] = [];
  const count = (kind: string, answer: string): void => {
    const k = (tally.answered[kind] ??= {});
    k[answer] = (k[answer] ?? 0) + 1;
  };
  const loop = (async () => {
    const start = performance.now();
    for (let i = 0; !stopped; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
      if (stopped) break;
      const j = JUNK[i % JUNK.length]!;
      tally.sent++;
      pending.push(
        socket
          .timeout(5000)
          .emitWithAck(j.event, j.payload())
          .then(
            (ans: unknown) => {
              const a = ans as { ok?: boolean; error?: { code?: string } } | undefined;
              count(j.name, a?.ok ? 'ok' : (a?.error?.code ?? 'no answer'));
            },
            () => count(j.name, 'timeout'),
          ),
      );
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(pending);
    },
  };
}

// ---------------------------------------------------------------- main

/** The junk flood (the original bench): true when its target is met. */
async function junkFlood(opts: Options): Promise<boolean> {
  const t0 = Date.now();
  const loadBefore = os.loadavg()[0]!;

  const core = await startCoreProcess();
  cleanupCore(core, onCleanup);
  const url = `http://127.0.0.1:${core.port}`;
  const creds = core.credentials.terminals;
  if (creds.length < opts.terminals + 1) throw new Error(`the demo has ${creds.length} terminals; ${opts.terminals + 1} are needed`);
  const honest = await Promise.all(creds.slice(0, opts.terminals).map((t) => connectTerminal(url, t)));
  const flooderCred = creds[opts.terminals]!;
  const flooder = await connectTerminal(url, flooderCred);
  progress(`core ${url}; ${honest.length} honest terminals, flooder ${flooderCred.deviceId}`);

  // Warm-up (unmeasured): JIT, journal file, sockets; and a short flood so its code paths are warm too.
  const warmTally: FloodTally = { sent: 0, answered: {} };
  const warmFlood = startFlood(flooder, opts.rate, warmTally);
  await pressBlock(honest, 30, opts.intervalMs, 'warm');
  await warmFlood.stop();
  await sleep(1500); // the flooder's bucket refills

  const tally: FloodTally = { sent: 0, answered: {} };
  const blocks: Block[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    for (const phase of ['baseline', 'flood'] as const) {
      progress(`round ${round}/${opts.rounds}: ${phase}, ${opts.alarms} alarms`);
      const flood = phase === 'flood' ? startFlood(flooder, opts.rate, tally) : undefined;
      if (flood) await sleep(250); // the bucket drains before measuring: the steady state of a flood
      const cpu0 = procCpuMs(core.child.pid);
      const b0 = performance.now();
      const r = await pressBlock(honest, opts.alarms, opts.intervalMs, `r${round}${phase[0]}`);
      const durationMs = performance.now() - b0;
      const cpu1 = procCpuMs(core.child.pid);
      await flood?.stop();
      blocks.push({ phase, round, ...r, durationMs, ...(cpu0 !== undefined && cpu1 !== undefined ? { coreCpuMs: cpu1 - cpu0 } : {}) });
      await sleep(500); // quiet gap: the next block starts from rest
    }
  }

  const failures = blocks.flatMap((b) => b.failures);
  const pooled = (phase: Block['phase']): Stats => stats(blocks.filter((b) => b.phase === phase).flatMap((b) => b.acks));
  const base = pooled('baseline');
  const flood = pooled('flood');
  const ratio = { p50: flood.p50 / base.p50, p99: flood.p99 / base.p99 };
  const diffP99 = flood.p99 - base.p99;
  const minN = 300;
  const cpuShare = (phase: Block['phase']): number | undefined => {
    const bs = blocks.filter((b) => b.phase === phase && b.coreCpuMs !== undefined);
    return bs.length === 0 ? undefined : bs.reduce((a, b) => a + b.coreCpuMs!, 0) / bs.reduce((a, b) => a + b.durationMs, 0);
  };
  const coreCpu = { baseline: cpuShare('baseline'), flood: cpuShare('flood') };
  const pass = failures.length === 0 && base.n >= minN && flood.n >= minN && ratio.p99 <= opts.limit;
  const warnings = (core.output().match(/sent unknown event/g) ?? []).length;
  const loadAfter = os.loadavg()[0]!;

  const lines: string[] = [];
  lines.push(
    `flood bench: ${opts.rounds} × (baseline, flood) blocks of ${opts.alarms} alarms, one every ${opts.intervalMs} ms over ${opts.terminals} terminals; ` +
      `flood ${opts.rate} junk events/s from one terminal; node ${process.version}`,
  );
  lines.push(`machine: ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`);
  lines.push('');
  lines.push(
    `${'alarm emit → ack, ms'.padEnd(30)}${'n'.padStart(6)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}   core CPU`,
  );
  for (const b of blocks) {
    lines.push(
      row(`  round ${b.round} ${b.phase}`, stats(b.acks)) +
        (b.coreCpuMs === undefined ? '' : `${((100 * b.coreCpuMs) / b.durationMs).toFixed(1).padStart(8)} %`),
    );
  }
  lines.push(row('baseline (pooled)', base));
  lines.push(row('flood    (pooled)', flood));
  lines.push('');
  lines.push(
    `ratio flood/baseline: p50 ×${ratio.p50.toFixed(3)}, p99 ×${ratio.p99.toFixed(3)} (p99 difference ${diffP99 >= 0 ? '+' : ''}${diffP99.toFixed(2)} ms)`,
  );
  if (coreCpu.baseline !== undefined && coreCpu.flood !== undefined) {
    const perJunk = ((coreCpu.flood - coreCpu.baseline) * 1000) / opts.rate;
    lines.push(
      `core CPU (less disturbed by a busy machine than latencies): ${(100 * coreCpu.baseline).toFixed(1)} % baseline, ${(100 * coreCpu.flood).toFixed(1)} % flood ` +
        `→ about ${perJunk.toFixed(3)} ms of core CPU per junk event`,
    );
  }
  lines.push(`junk sent during the flood blocks: ${tally.sent} (${(tally.sent / ((flood.n * opts.intervalMs) / 1000)).toFixed(0)}/s); answers:`);
  const totals: Record<string, number> = {};
  for (const [kind, answers] of Object.entries(tally.answered)) {
    lines.push(
      `  ${kind.padEnd(28)}${Object.entries(answers)
        .map(([a, n]) => `${a} ${n}`)
        .join(', ')}`,
    );
    for (const [a, n] of Object.entries(answers)) totals[a] = (totals[a] ?? 0) + n;
  }
  lines.push(
    `  ${'all'.padEnd(28)}${Object.entries(totals)
      .map(([a, n]) => `${a} ${n}`)
      .join(', ')}`,
  );
  lines.push(`core log: ${warnings} "unknown event" warnings over the whole run (warm-up included)`);
  if (failures.length > 0) lines.push(`ALARM FAILURES: ${failures.length}, e.g. ${failures.slice(0, 5).join('; ')}`);
  lines.push(
    `target flood/baseline p99 ≤ ${opts.limit.toFixed(2)}: ${pass ? 'PASS' : 'FAIL'} (p99 ${base.p99.toFixed(2)} → ${flood.p99.toFixed(2)} ms over ${base.n}/${flood.n} alarms)` +
      (base.n < minN || flood.n < minN ? ` — fewer than ${minN} alarms per phase do not count` : ''),
  );
  if (!pass && failures.length === 0) {
    lines.push(
      Math.abs(diffP99) < 2
        ? `NOTE: the absolute p99 difference is ${diffP99.toFixed(2)} ms, below 2 ms: on a noisy machine this is likely noise (the exit code still follows the ${Math.round((opts.limit - 1) * 100)} % rule).`
        : `NOTE: the absolute p99 difference is ${diffP99.toFixed(2)} ms, 2 ms or more.`,
    );
  }
  console.log(lines.join('\n'));

  const result = {
    at: new Date().toISOString(),
    options: { ...opts, out: undefined },
    environment: { node: process.version, platform: `${process.platform} ${process.arch}` },
    machine: { cpus: os.cpus().length, loadBefore, loadAfter },
    blocks: blocks.map((b) => ({
      round: b.round,
      phase: b.phase,
      ackMs: stats(b.acks),
      failures: b.failures.length,
      durationMs: round2(b.durationMs),
      coreCpuMs: b.coreCpuMs,
    })),
    pooled: { baseline: base, flood },
    ratio,
    p99DifferenceMs: diffP99,
    junk: { sent: tally.sent, answered: tally.answered, totals, warmupSent: warmTally.sent },
    coreUnknownEventWarnings: warnings,
    coreCpuShare: coreCpu,
    failures: failures.slice(0, 50),
    target: { p99Ratio: opts.limit, pass, absDiffBelow2Ms: Math.abs(diffP99) < 2 },
    // Per block, in press order: emit → ack in ms.
    samples: blocks.map((b) => ({ round: b.round, phase: b.phase, ackMs: b.acks.map(round2) })),
    durationS: (Date.now() - t0) / 1000,
  };
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), opts.out) || opts.out} (${result.durationS.toFixed(1)} s)`);
  await core.stop();
  return pass;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  // Bounded: whatever happens, the bench stops by itself (the junk flood takes about 40 s, the alarm flood about a
  // minute, the login flood as long as its burst takes, at most a few minutes on a core that hashes every login).
  const junkS = opts.only.has('junk') ? Math.min(115, Math.round(30 + (2 * opts.rounds * opts.alarms * opts.intervalMs) / 1000 + 10)) : 0;
  const alarmS = opts.only.has('alarm') ? Math.round(150 + (2 * opts.honest * opts.intervalMs) / 1000 + 2 * opts.alarmRounds) : 0;
  const loginS = opts.only.has('login') ? Math.round(60 + LOGIN_BURST_LIMIT_MS / 1000 + opts.bursts * 3 * (2 + 1) + 60) : 0;
  startWatchdog('flood', junkS + alarmS + loginS, cleanupAll);
  const passes: boolean[] = [];
  if (opts.only.has('junk')) passes.push(await junkFlood(opts));
  if (opts.only.has('alarm')) {
    if (passes.length) console.log('');
    passes.push(await alarmFlood(opts));
  }
  if (opts.only.has('login')) {
    if (passes.length) console.log('');
    passes.push(await loginFlood(opts));
  }
  return passes.every(Boolean) ? 0 : 1;
}

if (process.argv.includes('--alarm-flooder')) await flooderMain();
else if (process.argv.includes('--login-burster')) bursterMain();
else if (process.argv.includes('--login-standin')) standinMain();
else await runBench('flood', cleanupAll, main);
