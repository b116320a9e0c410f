// test/protocol — a console session's command budget (main/gateway/gateway.ts): the REAL core in-process and real
// socket.io consoles. A session that sends commands faster than any person (a script, a console stuck in a loop)
// is refused `rate_limited` beyond its burst, and nothing of the excess reaches the journal; the commands that
// move an alarm along are never refused for it; another session, and the terminals, are not touched.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONSOLE_COMMAND_BURST, CONSOLE_COMMANDS_PER_SECOND, UNBUDGETED_COMMANDS } from '../../main/gateway/gateway';
import { READ_ONLY_COMMANDS } from '../../shared/consoleContract';
import { ask, connect, isSpecRefusal, operatorConsole, sleep, START_TIMEOUT, startTestCore, terminalAuth, validAlarm, waitFor, type TestCore } from './support';

let t: TestCore;
let terms: Socket[] = [];
beforeAll(async () => {
  t = await startTestCore();
  terms = await Promise.all(t.creds.terminals.slice(0, 2).map((c) => connect(t.url, '/terminal', terminalAuth(c))));
}, START_TIMEOUT);
afterAll(async () => {
  for (const s of terms) s.close();
  await t?.close();
});

/** A new incident from a terminal (another school's: a repeated press joins its school's open one); its id once stored. */
async function newIncident(terminal: number): Promise<string> {
  const before = new Set(t.core.station.snapshot.incidents.keys());
  const a = (await ask(terms[terminal]!, 'alarm', validAlarm())) as { ok: boolean };
  expect(a.ok).toBe(true);
  return waitFor('the incident', () => [...t.core.station.snapshot.incidents.keys()].find((id) => !before.has(id)));
}

const notes = (): number => t.records().filter((r) => r.event.type === 'incident.note').length;

it('the budget is far above a person, and the alarm path is outside it', () => {
  expect(CONSOLE_COMMANDS_PER_SECOND).toBeGreaterThanOrEqual(5);
  expect(CONSOLE_COMMAND_BURST).toBeGreaterThanOrEqual(30);
  for (const c of ['shown', 'acknowledge', 'acknowledgeFault', 'dispatch', 'progress', 'resolve'] as const) expect(UNBUDGETED_COMMANDS.has(c)).toBe(true);
  for (const c of ['note', 'callBack', 'mute', 'takeOver', 'reopen', 'stats', 'history', 'admin:import'] as const)
    expect(UNBUDGETED_COMMANDS.has(c)).toBe(false);
});

it('a session flooding commands is refused rate_limited beyond its burst, writing nothing of the excess; 接警 and a terminal alarm still go through; another session is not affected', async () => {
  const first = await newIncident(0);
  const { s: a } = await operatorConsole(t, { role: 'officer' });
  const { s: b } = await operatorConsole(t, { role: 'officer' });
  try {
    expect(await ask(a, 'acknowledge', { incidentId: first })).toEqual({ ok: true });
    const notesBefore = notes();
    const sent = 3 * CONSOLE_COMMAND_BURST;
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: sent }, (_, i) => ask(a, 'note', { incidentId: first, text: `flood ${i}` }, 10_000)));
    const elapsedS = (performance.now() - t0) / 1000;
    const oks = answers.filter((x) => (x as { ok?: boolean }).ok === true).length;
    const limited = answers.filter((x) => isSpecRefusal(x, 'rate_limited'));
    // The burst, and what refilled while the flood was being answered; every other one refused, none lost.
    expect(oks).toBeGreaterThanOrEqual(CONSOLE_COMMAND_BURST);
    expect(oks).toBeLessThanOrEqual(CONSOLE_COMMAND_BURST + Math.ceil(elapsedS * CONSOLE_COMMANDS_PER_SECOND) + 1);
    expect(limited.length).toBe(sent - oks);
    expect(notes() - notesBefore).toBe(oks);
    const floodEnd = performance.now();

    // Over its budget, the session still takes and handles alarms.
    const second = await newIncident(1);
    expect(await ask(a, 'shown', { incidentId: second })).toEqual({ ok: true });
    expect(await ask(a, 'acknowledge', { incidentId: second })).toEqual({ ok: true });
    // … and is still over it for anything else: of more notes than could have refilled since, some are refused.
    const more = Math.ceil(((performance.now() - floodEnd) / 1000) * CONSOLE_COMMANDS_PER_SECOND) + 6;
    const again = await Promise.all(Array.from({ length: more }, (_, i) => ask(a, 'note', { incidentId: second, text: `still over ${i}` })));
    expect(again.filter((x) => isSpecRefusal(x, 'rate_limited')).length).toBeGreaterThanOrEqual(3);
    // The same officer's other session has its own budget.
    expect(await ask(b, 'note', { incidentId: second, text: '另一会话' })).toEqual({ ok: true });
    // The budget refills with time.
    await sleep(1000 / CONSOLE_COMMANDS_PER_SECOND + 150);
    expect(await ask(a, 'note', { incidentId: second, text: '稍后' })).toEqual({ ok: true });
    expect(await ask(a, 'resolve', { incidentId: second, disposition: 'false_alarm', note: '' })).toEqual({ ok: true });
  } finally {
    a.close();
    b.close();
  }
}, 60_000);

it('the commands the console asks again when refused (READ_ONLY_COMMANDS) answer and write nothing to the journal', async () => {
  // An incident to read (an earlier test's, or a new one).
  const incidentId = [...t.core.station.snapshot.incidents.keys()].at(-1) ?? (await newIncident(0));
  const day = 86_400_000;
  const period = { from: Date.now() - day, to: Date.now() + day };
  const payloads: Record<string, [string, unknown]> = {
    stats: ['chief', { ...period, class: 'real', groupBy: 'school' }],
    history: ['chief', { ...period, class: 'real', offset: 0, limit: 50 }],
    incident: ['chief', { incidentId }],
    plan: ['chief', { from: '2026-09-01', to: '2027-01-15', fromMs: Date.UTC(2026, 7, 31, 16), toMs: Date.UTC(2027, 0, 15, 16) }],
    inspections: ['chief', { from: '2026-09-01', to: '2027-01-15' }],
    'training:results': ['trainer', { trainee: '' }],
    'training:consoles': ['trainer', {}],
    'admin:settings': ['admin', {}],
    'admin:operators': ['admin', {}],
  };
  expect(Object.keys(payloads).sort()).toEqual([...READ_ONLY_COMMANDS].sort());
  const consoles = new Map<string, Socket>();
  try {
    for (const [name, [role, payload]] of Object.entries(payloads)) {
      if (!consoles.has(role)) consoles.set(role, (await operatorConsole(t, { role })).s);
      const before = t.records().length;
      const answer = (await ask(consoles.get(role)!, name, payload)) as { ok?: boolean; error?: { message?: string } };
      expect(answer.ok, `${name}: ${answer.error?.message}`).toBe(true);
      expect(t.records().length, name).toBe(before);
    }
  } finally {
    for (const s of consoles.values()) s.close();
  }
});
