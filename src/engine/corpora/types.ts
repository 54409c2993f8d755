/** The canonical emotion vocabulary every corpus maps its codes onto (corpora.md). */
export const EMOTIONS = [
  'neutral',
  'calm',
  'happy',
  'sad',
  'angry',
  'fearful',
  'disgust',
  'surprised',
  'boredom',
  'guilt',
] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** The paper's four classes, in the paper's table order. */
export const DEFAULT_CLASSES: Emotion[] = ['angry', 'happy', 'sad', 'neutral'];

export type CorpusName =
  | 'ravdess'
  | 'demos'
  | 'emodb'
  | 'cremad'
  | 'tess'
  | 'savee'
  | 'folders'
  | 'csv'
  | 'synthetic';

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
  /** sha256 over the sorted (id, label, speaker, size) of the kept utterances and the classes. */
  hash: string;
}
