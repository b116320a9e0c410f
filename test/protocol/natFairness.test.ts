// test/protocol — NAT fairness (issue 9, finding 10; spec: "Repeated failures from one address are slowed down, but
// never a device with valid credentials"). The REAL core in-process with its default connection limits; every
// socket comes from 127.0.0.1, the one address of a school district's NAT. With hundreds of bad handshakes in
// flight from that address (unknown device ids, and wrong tokens for a real device), a valid terminal on the same
// address that has never connected before (so its token must be checked with scrypt) connects about as fast as
// it does without them. Before the fix, once an address had failed a few times every check from it was queued
// one at a time, so the valid terminal waited for all the bad checks ahead of it (seconds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConnect, sleep, START_TIMEOUT, startTestCore, terminalAuth, tryHandshake, type RawSocket, type TestCore } from './support';

const BAD = 400;

let t: TestCore;
beforeAll(async () => {
  // The pending cap per address (tested in exhaustion.test.ts) is raised here so that every bad handshake really
  // reaches the credential checks: this file tests how those are scheduled.
  t = await startTestCore({ limits: { maxPendingPerAddress: 10_000, maxPending: 10_000 } });
}, START_TIMEOUT);
afterAll(async () => {
  await t?.close();
});

/** Median of three handshakes of terminals that never connected before (each needs a full scrypt check). */
async function freshHandshakeMs(nat: string, first: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[first + i]!), { localAddress: nat });
    expect(r.result).toBe('connected');
    times.push(r.ms);
  }
  return times.sort((a, b) => a - b)[1]!;
}

describe('a valid terminal behind a NAT is not slowed by bad handshakes from the same address', () => {
  it.each([
    ['unknown device ids', '127.0.0.1', 0, (i: number) => ({ deviceId: `term-nobody-${i % 7}`, token: 'guess' })],
    ['wrong tokens for a real device', '127.0.0.2', 10, (_i: number) => ({ deviceId: 'REAL', token: 'guess' })],
  ])(`%s from %s, ${BAD} in flight`, async (_what, nat, first, auth) => {
    await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[30]!), { localAddress: nat }); // warm-up
    const quiet = await freshHandshakeMs(nat, first);

    const victim = t.creds.terminals[35]!.deviceId; // the real device whose id the attacker uses
    const bad = (i: number): { deviceId: string; token: string } => {
      const a = auth(i);
      return a.deviceId === 'REAL' ? { ...a, deviceId: victim } : a;
    };
    // The attacker has already failed a few times from this address, so the station treats it as failing …
    for (let i = 0; i < 5; i++) expect((await tryHandshake(t.url, '/terminal', bad(i), { localAddress: nat })).result).toBe('unauthorized');
    // … opens its connections, and sends all their handshakes at once.
    const conns: RawSocket[] = [];
    for (let i = 0; i < BAD; i += 50) conns.push(...(await Promise.all(Array.from({ length: 50 }, () => rawConnect(t.url, { localAddress: nat })))));
    try {
      conns.forEach((c, i) => c.send(`40/terminal,${JSON.stringify(bad(i))}`));
      await sleep(20);
      // One handshake, sent while the bad ones are being checked (a median of several would hide the wait).
      const r = await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[first + 3]!), { localAddress: nat });
      expect(r.result).toBe('connected');
      const during = r.ms;
      const inFlight = conns.filter((c) => !c.frames.some((f) => f.startsWith('44/terminal'))).length;
      console.log(`valid terminal handshake: ${quiet.toFixed(0)} ms quiet, ${during.toFixed(0)} ms with ${BAD} bad ones (${inFlight} still unanswered)`);
      expect(inFlight).toBeGreaterThan(BAD / 2); // the bad ones were really in flight (their refusals are held back)
      expect(during).toBeLessThan(Math.max(4 * quiet, quiet + 250));
    } finally {
      for (const c of conns) c.close();
    }
  });
});
