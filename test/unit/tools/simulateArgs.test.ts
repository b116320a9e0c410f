// test/unit/tools — simulator options: single-press mode keeps its options, county mode validates its own.
import { describe, expect, it } from 'vitest';
import { ArgError, checkOptions, isCountyMode, parseArgs, parseCountyOptions } from '../../../tools/simulate/args';

const county = (...argv: string[]) => parseCountyOptions(parseArgs(argv), {});

describe('parseArgs', () => {
  it('reads --name value pairs and bare flags, as before', () => {
    const a = parseArgs(['--school', '3', '--kind', 'violence', '--note', '校门口有可疑人员', '--drill', '--wait']);
    expect(Object.fromEntries(a)).toEqual({ '--school': '3', '--kind': 'violence', '--note': '校门口有可疑人员', '--drill': 'true', '--wait': 'true' });
    expect(isCountyMode(a)).toBe(false);
    expect(() => checkOptions(a)).not.toThrow();
  });

  it('refuses stray arguments and unknown options', () => {
    expect(() => parseArgs(['3'])).toThrow(ArgError);
    expect(() => checkOptions(parseArgs(['--shcool', '3']))).toThrow(/unknown option --shcool/);
  });

  it('keeps the modes apart', () => {
    expect(() => checkOptions(parseArgs(['--junk-rate', '5']))).toThrow(/county-mode option: add --terminals/);
    expect(() => checkOptions(parseArgs(['--terminals', '3', '--count', '2']))).toThrow(/--count is for a single press/);
    expect(() => checkOptions(parseArgs(['--units', '3', '--kind', 'fire', '--drill', '--url', 'http://127.0.0.1:1']))).not.toThrow();
  });
});

describe('parseCountyOptions', () => {
  it('has the documented defaults', () => {
    const o = county('--terminals', '300');
    expect(o).toMatchObject({
      terminals: 300,
      units: 0,
      heartbeatMs: 30_000,
      testEveryMin: 60,
      alarmsPerMin: 0.2,
      positionMs: 2000,
      onSceneS: 60,
      badTokens: 0,
      junkRate: 0,
      silent: 0,
      verbose: false,
      drill: false,
      url: 'http://127.0.0.1:8700',
    });
    expect(o.durationS).toBeUndefined();
    expect(o.flood).toBeUndefined();
    expect(o.credentialsFile).toMatch(/station-data-demo[/\\]demo-credentials\.json$/);
  });

  it('reads every option', () => {
    const o = county(
      '--terminals',
      '300',
      '--units',
      '30',
      '--heartbeat-ms',
      '5000',
      '--alarms-per-min',
      '2',
      '--junk-rate',
      '5',
      '--bad-tokens',
      '3',
      '--duration',
      '40',
      '--flood',
      'term-p001:50',
      '--silent',
      '4',
      '--test-every-min',
      '0.5',
      '--position-ms',
      '1000',
      '--on-scene-s',
      '0',
      '--verbose',
      '--kind',
      'fire',
      '--note',
      'x',
      '--drill',
    );
    expect(o).toMatchObject({
      terminals: 300,
      units: 30,
      heartbeatMs: 5000,
      alarmsPerMin: 2,
      junkRate: 5,
      badTokens: 3,
      durationS: 40,
      flood: { deviceId: 'term-p001', rate: 50 },
      silent: 4,
      testEveryMin: 0.5,
      positionMs: 1000,
      onSceneS: 0,
      verbose: true,
      kind: 'fire',
      note: 'x',
      drill: true,
    });
  });

  it('takes the port and data folder from the environment like the single mode', () => {
    const o = parseCountyOptions(parseArgs(['--units', '1']), { STATION_PORT: '9000', STATION_DATA_DIR: '/tmp/x' });
    expect(o.url).toBe('http://127.0.0.1:9000');
    expect(o.credentialsFile).toBe('/tmp/x/demo-credentials.json');
  });

  it.each([
    [['--terminals', 'many'], /--terminals must be a whole number 0–100000, got "many"/],
    [['--terminals', '2.5'], /--terminals must be a whole number/],
    [['--terminals', '-1'], /--terminals must be/],
    [['--terminals'], /--terminals needs a value/],
    [['--units', '1', '--heartbeat-ms', '50'], /--heartbeat-ms must be a whole number 100–/],
    [['--units', '1', '--alarms-per-min', 'often'], /--alarms-per-min must be a number/],
    [['--units', '1', '--duration', '0'], /--duration must be a number 0.1–/],
    [['--units', '1', '--junk-rate', '1e3'], /--junk-rate must be a number/],
    [['--units', '1', '--position-ms', '0x10'], /--position-ms must be/],
    [['--terminals', '5', '--flood', 'term-p01'], /--flood must be DEVICE:RATE/],
    [['--terminals', '5', '--flood', 'term-p01:0'], /--flood must be DEVICE:RATE/],
    [['--terminals', '5', '--flood', ':5'], /--flood must be DEVICE:RATE/],
    [['--terminals', '5', '--silent', '6'], /--silent 6 is more than --terminals 5/],
    [['--terminals', '5', '--kind', 'earthquake'], /--kind must be one of/],
  ])('refuses %j', (argv, message) => {
    expect(() => county(...argv)).toThrow(ArgError);
    expect(() => county(...argv)).toThrow(message);
  });
});
