import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../engine/util/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Thrown once a command's usage has been printed for `-h/--help`: the command stops, exit 0. */
export class HelpShown extends Error {
  constructor() {
    super('help shown');
    this.name = 'HelpShown';
  }
}

/** `-h` or `--help` among the options (not after `--`, where everything is a positional). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * node:util parseArgs with usage errors turned into UserError (exit code 1). Every command
 * takes `-h/--help`: it prints the usage and stops the command (HelpShown, exit 0).
 */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  if (wantsHelp(argv)) {
    process.stdout.write(`usage: ${usage}\n`);
    throw new HelpShown();
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message}\nusage: ${usage}`);
  }
}

/**
 * `parse` for a command, with the `-h/--help` every command takes: given it, prints the usage
 * and returns null, and the command returns 0 without doing anything else.
 */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string) {
  const parsed = parse(
    argv,
    { ...options, help: { type: 'boolean', short: 'h', default: false } } as const,
    usage,
  );
  // In this generic body the option types are not resolved yet; callers see them resolved.
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`usage: ${usage}\n`);
    return null;
  }
  return parsed;
}

/** Writes exactly one JSON document to stdout (progress goes to stderr). */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

/** Progress lines on stderr so that `--json` keeps stdout to one document. */
export function progress(line: string): void {
  process.stderr.write(line + '\n');
}
