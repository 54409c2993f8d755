/**
 * The vocabulary every process shares: emotion names, the paper's classes, corpus layouts.
 * It lives in src/shared so the renderer may use it without importing the engine.
 */
import { PAPER_DEFAULTS } from './paper-defaults';

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
export const DEFAULT_CLASSES: Emotion[] = [...PAPER_DEFAULTS.classes];

export const CORPUS_NAMES = [
  'ravdess',
  'demos',
  'emodb',
  'cremad',
  'tess',
  'savee',
  'folders',
  'csv',
  'synthetic',
] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

/**
 * What a user may ask for: a corpus by name, or `auto` to detect it. The CLI, the config schema
 * and the GUI all offer this list.
 */
export const CORPUS_CHOICES = ['auto', ...CORPUS_NAMES] as const;
export type CorpusChoice = (typeof CORPUS_CHOICES)[number];
