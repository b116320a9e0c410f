// test/unit/tools — the tools' command line (node:util parseArgs with the tools' reading of values): values that
// start with one dash, missing values, unknown options, values given to switches and stray words.
import { describe, expect, it } from 'vitest';
import { readArgs, UsageError, type OptionSpec } from '../../../tools/cliArgs';

const OPTIONS: OptionSpec = { lat: { type: 'string' }, out: { type: 'string' }, demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
const read = (...argv: string[]) => readArgs(argv, OPTIONS, { positionals: true, optionalValue: ['--out'] });

describe('readArgs', () => {
  it('reads values, switches and words', () => {
    expect(read('--demo', 'device', 'list', '--lat', '41.3')).toEqual({ values: { demo: true, lat: '41.3' }, positionals: ['device', 'list'] });
    expect(read('-h').values).toEqual({ help: true });
    expect(read('--lat=7').values).toEqual({ lat: '7' });
  });

  it('takes a value that starts with one dash, and an empty one', () => {
    expect(read('--lat', '-33.9').values).toEqual({ lat: '-33.9' });
    expect(read('--lat', '').values).toEqual({ lat: '' });
  });

  it('refuses a value option followed by another option or by nothing, naming it', () => {
    expect(() => read('--lat', '--demo')).toThrow(UsageError);
    expect(() => read('--lat', '--demo')).toThrow('--lat needs a value');
    expect(() => read('--lat')).toThrow('--lat needs a value');
    expect(() => readArgs(['--lat'], OPTIONS, { missingValue: (f) => `${f} is required` })).toThrow('--lat is required');
  });

  it('reads an optional value left out as empty', () => {
    expect(read('--out').values).toEqual({ out: '' });
    expect(read('--out', '--demo').values).toEqual({ out: '', demo: true });
  });

  it('refuses unknown options, values given to switches and (unless allowed) stray words, naming them', () => {
    expect(() => read('--lta', '3')).toThrow('unknown option --lta (see --help)');
    expect(() => read('--demo=yes')).toThrow('--demo takes no value');
    expect(() => readArgs(['3'], OPTIONS)).toThrow('unexpected argument 3');
  });
});
