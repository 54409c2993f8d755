import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../engine/util/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with usage errors turned into UserError (exit code 1). */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message}\nusage: ${usage}`);
  }
}

/** Writes exactly one JSON document to stdout (progress goes to stderr). */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

/** Progress lines on stderr so that `--json` keeps stdout to one document. */
export function progress(line: string): void {
  process.stderr.write(line + '\n');
}
