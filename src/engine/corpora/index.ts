/** Corpora: layouts, the indexer, its Table-I summary and the synthetic corpus. */
export * from './types';
export { indexCorpus, indexHash } from './indexer';
export { summarizeIndex, compareSpeakers } from './summary';
export { normalizeLabel, parseClasses, isEmotion } from './labels';
export { synthesizeCorpus, type SynthOptions, type SynthResult } from './synth';
export { readSyntheticMarker, SYNTHETIC_MARKER, type SyntheticMarker } from './synthetic-marker';
export { indexCacheFile } from './index-cache';
