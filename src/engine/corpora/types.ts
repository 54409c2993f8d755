import type { CorpusName, Emotion } from '@shared/vocabulary';

export {
  CORPUS_CHOICES,
  CORPUS_NAMES,
  DEFAULT_CLASSES,
  EMOTIONS,
  type CorpusChoice,
  type CorpusName,
  type Emotion,
} from '@shared/vocabulary';

export type Sex = 'male' | 'female' | 'unknown';

export interface Utterance {
  /** Absolute path. */
  path: string;
  /** Path relative to the corpus root, with forward slashes: the stable ID of the file. */
  id: string;
  speaker: string;
  sex: Sex;
  label: Emotion;
  durationSec: number;
  sampleRate: number;
  channels: number;
  /** File size and mtime: what the index cache checks to see a file changed. */
  size: number;
  mtimeMs: number;
  /** A split given by a CSV manifest's optional `split` column (informational; folds ignore it). */
  split?: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface CorpusIndex {
  corpus: CorpusName;
  root: string;
  /** Classes kept by the selection, in order. */
  classes: Emotion[];
  utterances: Utterance[];
  skipped: SkippedFile[];
  /** Files kept with their NaN/Inf samples set to zero (only with `repairNonFinite`). */
  repaired?: RepairedFile[];
  /** sha256 over the sorted (id, label, speaker, size) of the kept utterances and the classes. */
  hash: string;
}

/** A file whose non-finite samples are zeroed when decoded: how many, and the first indices. */
export interface RepairedFile {
  path: string;
  count: number;
  first: number[];
}

/** What a layout parser reads from one file's path (and the corpus' side files). */
export interface FileLabel {
  speaker: string;
  sex: Sex;
  label: Emotion;
  split?: string;
}

/**
 * Generic folder-per-class layout: which level of the path (relative to the corpus root, 0 =
 * first folder) holds the label and which the speaker. `'prefix'` takes the speaker from the
 * file name before its first `_` or `-` (`<root>/<emotion>/<speaker>_*.wav`).
 */
export interface FolderLayout {
  labelLevel: number;
  speakerLevel: number | 'prefix';
}

export interface IndexOptions {
  /** Layout to parse with; `auto` (default) detects it from the files. */
  corpus?: CorpusName | 'auto';
  /** Classes to keep, in order; default DEFAULT_CLASSES; `all` keeps every class found. */
  classes?: Emotion[] | 'all';
  /** For corpus `folders`; detected when omitted. */
  folders?: FolderLayout;
  /** For corpus `csv`: the manifest file (relative to the root or absolute); detected when omitted. */
  manifest?: string;
  /** Ignore the cached index and read every file again. */
  refresh?: boolean;
  /** Keep float WAVs holding NaN/Inf samples (zeroed when decoded) instead of skipping them. */
  repairNonFinite?: boolean;
  /** Told of things worth a warning that are not a skipped file (e.g. a corrupt index cache). */
  onWarning?: (message: string) => void;
  /** Called as files are read (done of total). */
  onProgress?: (done: number, total: number) => void;
}

/** Table I of the paper: one corpus at a glance. */
export interface CorpusSummary {
  corpus: CorpusName;
  root: string;
  classes: Emotion[];
  files: number;
  speakers: number;
  sex: { male: number; female: number; unknown: number };
  /** Seconds, over the kept utterances (sd is the sample standard deviation). */
  duration: { mean: number; sd: number; min: number; max: number; total: number };
  sampleRates: Record<string, number>;
  perClass: Record<string, number>;
  perSpeaker: { speaker: string; sex: Sex; files: number; perClass: Record<string, number> }[];
  skipped: SkippedFile[];
  hash: string;
}
