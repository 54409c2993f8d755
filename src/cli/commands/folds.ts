import path from 'node:path';
import {
  makeFolds,
  foldsDocument,
  foldsToJsonl,
  type FoldOptions,
  type FoldScheme,
} from '../../engine/folds';
import { writeFileAtomic } from '../../engine/util/atomic';
import { UserError } from '../../engine/util/errors';
import { parseCommand, printJson } from '../args';
import { CORPUS_OPTIONS, CORPUS_USAGE, indexOptionsFrom, loadIndex } from './index';

const USAGE =
  `ser-workbench folds <dir> [--scheme loso|kfold] [--k N] [--val F] [--seed S] ${CORPUS_USAGE} ` +
  '[--json] [--jsonl FILE]';

function number(text: string | undefined, flag: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UserError(`${flag} must be ${integer ? 'an integer' : 'a number'}, not '${text}'`);
  }
  return n;
}

/**
 * Speaker-independent folds of a corpus: a table (or `--json`), and with `--jsonl` the
 * EmoBox-style assignment, one line per utterance per fold (fields: src/engine/folds/export.ts).
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      ...CORPUS_OPTIONS,
      scheme: { type: 'string', default: 'loso' },
      k: { type: 'string' },
      val: { type: 'string', default: '0.2' },
      seed: { type: 'string', default: '42' },
      json: { type: 'boolean', default: false },
      jsonl: { type: 'string' },
    },
    USAGE,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new UserError(`expected one corpus folder\nusage: ${USAGE}`);
  const scheme = values.scheme as FoldScheme;
  if (scheme !== 'loso' && scheme !== 'kfold') throw new UserError(`--scheme must be loso or kfold`);
  const k = number(values.k, '--k', true);
  if (scheme === 'kfold' && k === undefined) throw new UserError('--scheme kfold needs --k N');
  const opts: FoldOptions = {
    scheme,
    ...(k !== undefined ? { k } : {}),
    valFraction: number(values.val, '--val', false)!,
    seed: number(values.seed, '--seed', true)!,
  };

  const index = await loadIndex(positionals[0], indexOptionsFrom(values));
  const folds = makeFolds(index.utterances, opts);
  if (values.jsonl)
    writeFileAtomic(path.resolve(values.jsonl), foldsToJsonl(folds, index.utterances, index.corpus));
  if (values.json) {
    printJson(foldsDocument(folds, opts, index.utterances, index));
    return 0;
  }
  const lines = [
    `${index.corpus}: ${folds.length} ${scheme} folds, ${index.utterances.length} files, seed ${opts.seed}, validation ${opts.valFraction}`,
    'fold  test                      validation                train  (files: test/val/train)',
    ...folds.map(
      (f) =>
        `${String(f.index + 1).padStart(4)}  ${f.test.join(',').padEnd(24)}  ${f.validation.join(',').padEnd(24)}  ` +
        `${String(f.train.length).padStart(5)}  (${f.counts.test}/${f.counts.validation}/${f.counts.train})`,
    ),
  ];
  if (values.jsonl) lines.push(`wrote ${values.jsonl}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
