// tools/ (tool, Node) — the command line of every tool (simulator, station CLI, benches): node:util parseArgs,
// strict, with the two habits the tools had before it and that scripts rely on, and errors that name the option.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: the message names the option or word; each tool chooses its exit code. */
export class UsageError extends Error {}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ReadArgsOptions {
  /** Words that are not options (the station CLI's commands) are allowed; otherwise a stray word is refused. */
  positionals?: boolean;
  /** Value options whose value may be left out (`--profile`, `--out` at the end): they read as ''. */
  optionalValue?: readonly string[];
  /** The message when a value option has none (default: "--name needs a value"). */
  missingValue?: (flag: string) => string;
}

export interface ReadArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Reads argv with node:util parseArgs (strict), after one step that keeps the tools' old reading of values:
 * the word after a value option is its value unless it starts with `--`, so `--lat -33.9` (a negative number)
 * and `--lat ""` are values, where parseArgs alone calls a value starting with a dash ambiguous. A value
 * option followed by another option, or by nothing, has no value: a UsageError naming it (or '' for an
 * `optionalValue` option). Unknown options, a value given to a switch and stray words are UsageErrors too.
 */
export function readArgs(argv: readonly string[], options: OptionSpec, o: ReadArgsOptions = {}): ReadArgs {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    if (name === undefined || !Object.hasOwn(options, name) || options[name]!.type !== 'string') {
      args.push(a);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      args.push(`${a}=${next}`);
      i++;
    } else if (o.optionalValue?.includes(a)) args.push(`${a}=`);
    else throw new UsageError(o.missingValue ? o.missingValue(a) : `${a} needs a value`);
  }
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: o.positionals ?? false });
    return { values: values as ReadArgs['values'], positionals };
  } catch (e) {
    throw new UsageError(usageMessage(e));
  }
}

/** parseArgs' own errors, said the way the tools always said them. */
function usageMessage(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted} (see --help)`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take an argument/.test(message)) return `${quoted} takes no value`;
  return message;
}
