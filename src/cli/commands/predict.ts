import path from 'node:path';
import { predictFiles } from '../../engine/runs/predict';
import { UserError } from '../../engine/util/errors';
import { parseCommand, printJson } from '../args';

const usage = 'ser-workbench predict RUNDIR AUDIO... [--fold N] [--json]';

/**
 * Labels audio files with a run's models: by default the mean of the class probabilities of every
 * fold's model (each trained without its test speakers); --fold N uses that fold's model only.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      fold: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length < 2)
    throw new UserError(`expected a run folder and at least one audio file\nusage: ${usage}`);
  const fold = values.fold !== undefined ? Number(values.fold) - 1 : undefined;
  if (fold !== undefined && (!Number.isInteger(fold) || fold < 0))
    throw new UserError('--fold must be a fold number from 1');
  const [runDir, ...files] = positionals;
  const result = await predictFiles(path.resolve(runDir), files, { fold });
  // Exit 1 when any file could not be classified; the others are printed all the same.
  const code = result.failed.length ? 1 : 0;
  if (values.json) {
    printJson(result);
    return code;
  }
  process.stdout.write(`using ${result.using}\n`);
  for (const p of result.predictions) {
    const probs = result.classes.map((c) => `${c} ${p.probabilities[c].toFixed(3)}`).join('  ');
    process.stdout.write(`${p.file}\t${p.label}\t${probs}\n`);
  }
  for (const f of result.failed) process.stderr.write(`error: ${f.file}: ${f.error}\n`);
  if (code) {
    process.stderr.write(`${result.failed.length} of ${files.length} file(s) could not be classified\n`);
  }
  return code;
}
