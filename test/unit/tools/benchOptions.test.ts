// The latency bench's command line (tools/bench/benchOptions.ts): the realistic defaults, and the control run.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../tools/bench/benchOptions';

describe('bench:latency options', () => {
  it('defaults to the realistic case: 200 open, 200 alarms 20 ms apart from as many terminals, the storm, the console drawn', () => {
    const o = parseArgs([]);
    expect(o).toMatchObject({ open: 200, alarms: 200, intervalMs: 20, storm: 1000, stormTerminals: 300, cpuTargetMs: 5, targetRatio: 6, draw: 'all' });
    expect(o.terminals).toBe(205); // one per measured alarm and warm-up: each opens its own incident
    expect(o.schools).toBe(200 + 205 + 300);
  });

  it('--draw none is the control run; any other value is refused with the choices named', () => {
    expect(parseArgs(['--draw', 'none']).draw).toBe('none');
    // Its figures never overwrite the last real run's.
    expect(parseArgs([]).out).toMatch(/latest\.json$/);
    expect(parseArgs(['--draw', 'none']).out).toMatch(/control\.json$/);
    expect(parseArgs(['--draw', 'none', '--out', 'x.json']).out).toMatch(/x\.json$/);
    expect(parseArgs(['--draw', 'all']).draw).toBe('all');
    expect(() => parseArgs(['--draw', 'half'])).toThrow(/--draw: 'all' or 'none', not 'half'/);
    expect(() => parseArgs(['--draw'])).toThrow();
  });
});
