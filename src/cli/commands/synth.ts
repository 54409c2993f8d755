import { TARGET_RATE } from '../../engine/audio';
import { synthesizeCorpus } from '../../engine/corpora';
import { UserError } from '../../engine/util/errors';
import { parseCommand, printJson } from '../args';
import { progressPrinter } from './index';
import { parseClasses } from '../../engine/corpora';

const USAGE =
  'ser-workbench synth <dir> [--speakers N] [--per-class N] [--seed S] [--classes a,b] [--sample-rate HZ] [--json]';

function int(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n))
    throw new UserError(`${flag} must be an integer, not '${text}'`);
  return n;
}

/** Writes a synthetic emotional-speech corpus that `index` detects as corpus `synthetic`. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      speakers: { type: 'string', default: '6' },
      'per-class': { type: 'string', default: '10' },
      seed: { type: 'string', default: '42' },
      classes: { type: 'string' },
      'sample-rate': { type: 'string', default: String(TARGET_RATE) },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new UserError(`expected one output folder\nusage: ${USAGE}`);
  const classes = parseClasses(values.classes);
  if (classes === 'all')
    throw new UserError('--classes all is not a class list for synthesis; name the classes');
  const result = await synthesizeCorpus(positionals[0], {
    speakers: int(values.speakers, '--speakers'),
    perClass: int(values['per-class'], '--per-class'),
    seed: int(values.seed, '--seed'),
    classes,
    sampleRate: int(values['sample-rate'], '--sample-rate'),
    onProgress: progressPrinter('writing'),
  });
  if (values.json) printJson({ root: result.root, files: result.files, ...result.marker });
  else process.stdout.write(`wrote ${result.files} files to ${result.root}\n`);
  return 0;
}
