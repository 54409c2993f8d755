import fs from 'node:fs';
import { defaultConfig } from '../../engine/config/schema';
import { UserError } from '../../engine/util/errors';
import { writeJsonAtomic } from '../../engine/util/atomic';
import { parseCommand, progress } from '../args';

const usage = 'ser-workbench init-config [FILE] [--force]';

/** Writes the paper's default experiment config (to FILE, or stdout). */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { force: { type: 'boolean', default: false } }, usage);
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length > 1) throw new UserError(`expected at most one file\nusage: ${usage}`);
  const config = defaultConfig();
  const file = positionals[0];
  if (!file) {
    process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    return 0;
  }
  if (fs.existsSync(file) && !values.force)
    throw new UserError(`${file} exists; use --force to overwrite it`);
  writeJsonAtomic(file, config);
  progress(`wrote ${file} (set data.dir, or give --data DIR to \`ser-workbench run\`)`);
  return 0;
}
