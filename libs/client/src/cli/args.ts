/** A wrong command line: the CLI prints `message` and a hint on one line, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    /** The command whose `--help` to point at, e.g. `tasks list` ('' = the top level). */
    readonly command = '',
  ) {
    super(message);
  }
}

/**
 * `string` options take a value (`--name x` or `--name=x`); `boolean` ones take none; `list`
 * ones take a value and may be repeated (`--header a --header b`).
 */
export type OptionSpec = Record<string, 'string' | 'boolean' | 'list'>;

export interface ParsedArgs {
  /** By option name without the dashes; a string option given twice keeps the last value. */
  options: Record<string, string | boolean>;
  /** Every value of each `list` option given, in order (its last one is also in `options`). */
  lists: Record<string, string[]>;
  positionals: string[];
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSpec = {
  url: 'string',
  key: 'string',
  json: 'boolean',
  help: 'boolean',
};

/**
 * Splits the command words off the front: `[global options] word [word] [rest]`. Only the
 * global options may come before the command (their arity is known), so a value is never
 * mistaken for a command word. `isGroup(word)` says whether a first word takes a second one
 * (`tasks list`).
 */
export function splitCommand(
  argv: readonly string[],
  isGroup: (word: string) => boolean,
): { leading: string[]; words: string[]; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--') {
    const token = argv[i]!;
    leading.push(token);
    i += 1;
    const name = optionName(token);
    if (GLOBAL_OPTIONS[name] === 'string' && !token.includes('=') && i < argv.length) {
      leading.push(argv[i]!);
      i += 1;
    }
  }
  const words: string[] = [];
  if (i < argv.length && argv[i] !== '--') {
    words.push(argv[i]!);
    i += 1;
    if (isGroup(words[0]!) && i < argv.length && !argv[i]!.startsWith('-')) {
      words.push(argv[i]!);
      i += 1;
    }
  }
  return { leading, words, rest: argv.slice(i) };
}

/**
 * Parses options and positionals against `spec`: `--opt value`, `--opt=value`, `--flag`,
 * `-h` for `--help`, and `--` (everything after it is positional). Unknown options, a missing
 * value and a value given to a flag are UsageErrors naming the option.
 */
export function parseArgs(argv: readonly string[], spec: OptionSpec, command = ''): ParsedArgs {
  const options: Record<string, string | boolean> = {};
  const lists: Record<string, string[]> = {};
  const positionals: string[] = [];
  const set = (name: string, value: string) => {
    options[name] = value;
    if (spec[name] === 'list') (lists[name] ??= []).push(value);
  };
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-h') {
      options.help = true;
      continue;
    }
    if (!token.startsWith('--') || token === '-') {
      if (token.startsWith('-') && token !== '-' && !/^-\d/.test(token)) {
        throw new UsageError(`unknown option ${token}`, command);
      }
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = optionName(token);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`, command);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`, command);
      options[name] = true;
      continue;
    }
    if (eq !== -1) {
      set(name, token.slice(eq + 1));
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || (value.startsWith('--') && value.length > 2)) {
      throw new UsageError(`--${name} needs a value`, command);
    }
    set(name, value);
    i += 1;
  }
  return { options, lists, positionals };
}

function optionName(token: string): string {
  const bare = token.replace(/^-+/, '');
  const eq = bare.indexOf('=');
  return eq === -1 ? bare : bare.slice(0, eq);
}

/** A whole number in [min, max], or a UsageError naming the option. */
export function intOption(
  value: string | boolean | undefined,
  name: string,
  command: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || +value < min || +value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, command);
  }
  return Number(value);
}

/** Unix seconds, or an ISO 8601 time (`2026-01-01`, `2026-01-01T10:00:00Z`) as unix seconds. */
export function timeOption(
  value: string | boolean | undefined,
  name: string,
  command: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  const ms = typeof value === 'string' && /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`--${name} must be unix seconds or an ISO 8601 time`, command);
  }
  return Math.floor(ms / 1000);
}

/** A string option's value (undefined when absent). */
export function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
