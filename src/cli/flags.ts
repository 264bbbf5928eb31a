// A small flag parser: `--name value`, `--name=value`, boolean `--flag`, and positionals. A command declares
// its flags (parseFlags); an unknown flag, a missing value or a non-number for a number flag is a
// UsageError, which `tutti` reports in one line with exit code 2.

/** Bad command-line input: main() prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagKind = 'string' | 'number' | 'boolean';
/** Flag name (without the dashes) -> what it takes. */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

const BOOLEAN_VALUES = new Set(['true', 'false', '1', '0']);

/** Whether `--help` or `-h` comes before any `--`: help is answered before the other flags are checked. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Parses against `spec`; a repeated flag keeps its last value. Throws UsageError on input `spec` does not allow. */
export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    if (!a.startsWith('--')) throw new UsageError(`unknown flag ${a}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const kind = spec[name] ?? (name === 'help' ? 'boolean' : undefined);
    if (!kind) throw new UsageError(`unknown flag --${name}`);
    if (kind === 'boolean') {
      if (inline !== undefined && !BOOLEAN_VALUES.has(inline)) {
        throw new UsageError(`flag --${name} is true or false, got ${JSON.stringify(inline)}`);
      }
      flags.set(name, inline ?? true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`flag --${name} needs a value`);
      value = next;
      i++;
    }
    if (kind === 'number') checkNumber(name, value);
    flags.set(name, value);
  }
  return { flags, positionals };
}

/**
 * The permissive form, for a command that passes its flags on to another: any `--name`, boolean when
 * listed in `booleans` or when no value follows.
 */
export function parseArgs(argv: string[], booleans: ReadonlySet<string> = new Set()): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (booleans.has(a.slice(2)) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) {
      flags.set(a.slice(2), true);
    } else {
      flags.set(a.slice(2), argv[++i]);
    }
  }
  return { flags, positionals };
}

function checkNumber(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`flag --${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

export function stringFlag(args: ParsedArgs, name: string, fallback: string): string;
export function stringFlag(args: ParsedArgs, name: string): string | undefined;
export function stringFlag(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  if (v === true) throw new UsageError(`flag --${name} needs a value`);
  return v;
}

export function numberFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringFlag(args, name);
  return v === undefined ? fallback : checkNumber(name, v);
}

export function boolFlag(args: ParsedArgs, name: string): boolean {
  const v = args.flags.get(name);
  return v === true || v === 'true' || v === '1';
}

/** A command that takes no positional arguments. */
export function noPositionals(args: ParsedArgs): void {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
}
