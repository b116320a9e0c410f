// tools/simulate (tool, Node) — what county mode prints: a line every 10 s, the final summary and its JSON.
import { Samples, type Stats } from './stats';

const fmtMap = (o: Record<string, number>): string =>
  Object.keys(o).length === 0
    ? 'none'
    : Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
const fmtMs = (x: number | undefined): string => (x === undefined ? '–' : `${Math.round(x)} ms`);

export function summaryLine(stats: Stats, elapsedS: number, want: { terminals: number; units: number }): string {
  const d = (k: string): number => stats.delta(k);
  const hb = stats.latency.heartbeat.window;
  const parts = [
    `up T ${stats.get('terminals.connected')}/${want.terminals} U ${stats.get('units.connected')}/${want.units}`,
    `hb +${d('heartbeat.sent')} ok ${d('heartbeat.ok')} p95 ${fmtMs(Samples.pct(hb, 95))}`,
    `test +${d('test.sent')}/${d('test.ok')} alarm +${d('alarm.sent')}/${d('alarm.ok')}`,
    `pos +${d('position.sent')}`,
  ];
  if (stats.get('junk.sent') > 0) parts.push(`junk +${d('junk.sent')}`);
  if (stats.get('flood.sent') > 0) parts.push(`flood +${d('flood.sent')} ok ${d('flood.ok')}`);
  if (stats.get('bad_auth.attempts') > 0) parts.push(`bad-auth +${d('bad_auth.attempts')}`);
  if (stats.get('dispatch.received') > 0) parts.push(`dispatch +${d('dispatch.received')}`);
  const reconnects = d('terminals.reconnects') + d('units.reconnects');
  parts.push(`reconnects +${reconnects}`);
  parts.push(`refusals ${fmtMap(stats.byPrefix('refusals.', true))}`);
  return `[${String(Math.round(elapsedS)).padStart(4)} s] ${parts.join(' | ')}`;
}

export interface RunInfo {
  terminals: number;
  silent: number;
  units: number;
  why: string;
  allUpAfterS?: number;
  /** Connected when the run stopped (before the simulator closed its sockets). */
  terminalsUp: number;
  unitsUp: number;
}

export function finalSummary(stats: Stats, elapsedS: number, info: RunInfo): string[] {
  const g = (k: string): number => stats.get(k);
  const lat = (s: Samples): string => {
    const x = s.summary();
    return x.n === 0 ? 'no samples' : `p50 ${fmtMs(x.p50)} p95 ${fmtMs(x.p95)} p99 ${fmtMs(x.p99)} max ${fmtMs(x.max)}`;
  };
  const presses = (src: 'test' | 'alarm'): string =>
    `sent ${g(`${src}.sent`)}, acked ${g(`${src}.ok`)} (duplicates ${g(`${src}.duplicate`)}), refused ${fmtMap(stats.byPrefix(`${src}.refused.`))}, ` +
    `retries ${g(`${src}.retries`)}, failed ${g(`${src}.failed`)}, in flight at stop ${g(`${src}.in_flight_at_stop`)}; ack ${lat(stats.latency[src])}`;
  const lines = [
    `summary after ${elapsedS.toFixed(1)} s (${info.why})`,
    `  terminals    ${info.terminals} simulated (${info.silent} silent), connected at the end ${info.terminalsUp}, ` +
      `${info.allUpAfterS !== undefined ? `the last came up after ${info.allUpAfterS.toFixed(1)} s` : `only ${g('terminals.first_connects')} ever came up`}; reconnects ${g('terminals.reconnects')}; ` +
      `connect errors ${fmtMap(stats.byPrefix('terminals.connect_error.'))}`,
    `  units        ${info.units} simulated, connected at the end ${info.unitsUp} (ever ${g('units.first_connects')}); reconnects ${g('units.reconnects')}; connect errors ${fmtMap(stats.byPrefix('units.connect_error.'))}`,
    `  connect time ${lat(stats.latency.connect)}; disconnects ${fmtMap(stats.byPrefix('disconnects.'))}`,
    `  heartbeats   sent ${g('heartbeat.sent')}, acked ${g('heartbeat.ok')}, refused ${fmtMap(stats.byPrefix('heartbeat.refused.'))}, no answer ${g('heartbeat.no_answer')}, ` +
      `in flight at stop ${g('heartbeat.in_flight_at_stop')}; ack ${lat(stats.latency.heartbeat)}`,
    `  test presses ${presses('test')}`,
    `  alarms       ${presses('alarm')}`,
    `  alarm:status ${fmtMap(stats.byPrefix('alarm_status.'))}`,
    `  positions    sent ${g('position.sent')}; unit status sent ${g('status.sent')}, acked ${g('status.ok')}, refused ${fmtMap(stats.byPrefix('status.refused.'))}, no answer ${g('status.no_answer')}`,
    `  dispatch     ${fmtMap(stats.byPrefix('dispatch.'))}`,
  ];
  if (g('junk.sent') > 0) {
    lines.push(
      `  junk         sent ${g('junk.sent')} (${fmtMap(stats.byPrefix('junk.kind.'))}); refused ${fmtMap(stats.byPrefix('junk.refused.'))}; ` +
        `no answer ${fmtMap(stats.byPrefix('junk.no_answer.'))}; ACCEPTED ${g('junk.ok')}`,
    );
  }
  if (g('flood.sent') > 0) {
    lines.push(
      `  flood        sent ${g('flood.sent')}, acked ${g('flood.ok')}, refused ${fmtMap(stats.byPrefix('flood.refused.'))}, no answer ${g('flood.no_answer')}`,
    );
  }
  if (g('bad_auth.attempts') > 0) {
    lines.push(
      `  bad auth     attempts ${g('bad_auth.attempts')}, refused ${fmtMap(stats.byPrefix('bad_auth.refused.'))}, ACCEPTED ${g('bad_auth.ACCEPTED')}; ` +
        `refusal after: known id ${lat(stats.latency.badAuthKnown)}; unknown/malformed ${lat(stats.latency.badAuthUnknown)}`,
    );
  }
  lines.push(`  refusals by code: ${fmtMap(stats.byPrefix('refusals.'))}`);
  return lines;
}

export function summaryJson(stats: Stats, elapsedS: number, info: RunInfo): object {
  // The connected gauges are 0 once the simulator has closed its sockets; report them as they were at the end.
  const gauges = new Set(['terminals.connected', 'units.connected']);
  return {
    event: 'summary',
    elapsedS: Math.round(elapsedS * 10) / 10,
    ...info,
    counts: Object.fromEntries([...stats.counts.entries()].filter(([k]) => !gauges.has(k)).sort(([a], [b]) => a.localeCompare(b))),
    latencyMs: Object.fromEntries(Object.entries(stats.latency).map(([k, s]) => [k, s.summary()])),
  };
}
