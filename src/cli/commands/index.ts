import { indexCorpus, parseClasses, summarizeIndex } from '../../engine/corpora';
import { CORPUS_CHOICES } from '../../engine/corpora';
import type {
  CorpusChoice,
  CorpusIndex,
  CorpusSummary,
  FolderLayout,
  IndexOptions,
} from '../../engine/corpora';
import { UserError } from '../../engine/util/errors';
import { parseCommand, printJson, progress } from '../args';

/** Options shared by `index` and `folds`: which corpus layout and which classes. */
export const CORPUS_OPTIONS = {
  corpus: { type: 'string', default: 'auto' },
  classes: { type: 'string' },
  'label-level': { type: 'string' },
  'speaker-level': { type: 'string' },
  manifest: { type: 'string' },
  refresh: { type: 'boolean', default: false },
  'repair-nonfinite': { type: 'boolean', default: false },
} as const;

export const CORPUS_USAGE =
  `[--corpus ${CORPUS_CHOICES.join('|')}] [--classes a,b|all] ` +
  '[--label-level N --speaker-level N|prefix] [--manifest FILE.csv] [--refresh] [--repair-nonfinite]';

function level(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${flag} must be a folder level 0, 1, 2, ...`);
  return n;
}

export function indexOptionsFrom(values: {
  corpus?: string;
  classes?: string;
  'label-level'?: string;
  'speaker-level'?: string;
  manifest?: string;
  refresh?: boolean;
  'repair-nonfinite'?: boolean;
}): IndexOptions {
  const corpus = (values.corpus ?? 'auto') as CorpusChoice;
  if (!CORPUS_CHOICES.includes(corpus))
    throw new UserError(`--corpus must be one of ${CORPUS_CHOICES.join(', ')}`);
  let folders: FolderLayout | undefined;
  if (values['label-level'] !== undefined) {
    const speaker = values['speaker-level'] ?? 'prefix';
    folders = {
      labelLevel: level(values['label-level'], '--label-level'),
      speakerLevel: speaker === 'prefix' ? 'prefix' : level(speaker, '--speaker-level'),
    };
  } else if (values['speaker-level'] !== undefined) {
    throw new UserError('--speaker-level needs --label-level');
  }
  return {
    corpus: folders && corpus === 'auto' ? 'folders' : corpus,
    classes: parseClasses(values.classes),
    ...(folders ? { folders } : {}),
    ...(values.manifest ? { manifest: values.manifest } : {}),
    refresh: values.refresh ?? false,
    repairNonFinite: values['repair-nonfinite'] ?? false,
    onProgress: progressPrinter('reading headers'),
    onWarning: (m) => progress(`warning: ${m}`),
  };
}

/** done/total on stderr, about ten lines per job at most. */
export function progressPrinter(what: string): (done: number, total: number) => void {
  return (done, total) => {
    const step = Math.max(1, Math.floor(total / 10));
    if (done === total || done % step === 0) progress(`${what}: ${done}/${total}`);
  };
}

export async function loadIndex(dir: string, opts: IndexOptions): Promise<CorpusIndex> {
  const index = await indexCorpus(dir, opts);
  for (const r of index.repaired ?? [])
    progress(
      `warning: ${r.path}: ${r.count} non-finite sample(s) set to zero (first at ${r.first.join(', ')})`,
    );
  if (index.utterances.length === 0) {
    const why = index.skipped.slice(0, 3).map((s) => `\n  ${s.path}: ${s.reason}`);
    throw new UserError(
      `${index.root}: no usable audio files (${index.skipped.length} skipped)${why.join('')}`,
    );
  }
  return index;
}

function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}

/** The summary as the paper's Table I (one column). */
export function formatSummary(s: CorpusSummary): string {
  const lines = [
    `corpus      ${s.corpus}  (${s.root})`,
    `files       ${s.files}`,
    `speakers    ${s.speakers} (${s.sex.male} m : ${s.sex.female} f${s.sex.unknown ? ` : ${s.sex.unknown} unknown` : ''})`,
    `duration    ${fmt(s.duration.mean)} ± ${fmt(s.duration.sd)} s (min ${fmt(s.duration.min)}, max ${fmt(s.duration.max)}, total ${fmt(s.duration.total, 1)})`,
    `sample rate ${Object.entries(s.sampleRates)
      .map(([r, n]) => `${r} Hz × ${n}`)
      .join(', ')}`,
    `${s.classes.join(' / ')}  ${s.classes.map((c) => s.perClass[c] ?? 0).join(' / ')}`,
    '',
    `speaker  sex     ${s.classes.map((c) => c.padStart(8)).join('')}   total`,
    ...s.perSpeaker.map(
      (p) =>
        `${p.speaker.padEnd(8)} ${p.sex.padEnd(7)} ${s.classes.map((c) => String(p.perClass[c] ?? 0).padStart(8)).join('')}  ${String(p.files).padStart(6)}`,
    ),
  ];
  if (s.skipped.length > 0) {
    lines.push('', `skipped ${s.skipped.length} file(s):`);
    for (const k of s.skipped.slice(0, 20)) lines.push(`  ${k.path}: ${k.reason}`);
    if (s.skipped.length > 20) lines.push(`  ... and ${s.skipped.length - 20} more (see --json)`);
  }
  return lines.join('\n') + '\n';
}

const USAGE = `ser-workbench index <dir> ${CORPUS_USAGE} [--json]`;

/** Indexes a corpus folder and prints its Table-I summary (or one JSON document). */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...CORPUS_OPTIONS, json: { type: 'boolean', default: false } }, USAGE);
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new UserError(`expected one corpus folder\nusage: ${USAGE}`);
  const index = await loadIndex(positionals[0], indexOptionsFrom(values));
  const summary = summarizeIndex(index);
  if (values.json) printJson(index.repaired ? { ...summary, repaired: index.repaired } : summary);
  else process.stdout.write(formatSummary(summary));
  return 0;
}
