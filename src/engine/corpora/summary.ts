import type { CorpusIndex, CorpusSummary, Sex } from './types';

function meanSd(values: number[]): { mean: number; sd: number } {
  if (values.length === 0) return { mean: 0, sd: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length < 2) return { mean, sd: 0 };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

/** Speaker IDs in natural order ("2" before "10"). */
export function compareSpeakers(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The paper's Table I for one index: speakers and their male:female split, duration mean ± sd,
 * files per class and per speaker.
 */
export function summarizeIndex(index: CorpusIndex): CorpusSummary {
  const perClass: Record<string, number> = Object.fromEntries(index.classes.map((c) => [c, 0]));
  const sampleRates: Record<string, number> = {};
  const speakers = new Map<string, { sex: Sex; files: number; perClass: Record<string, number> }>();
  for (const u of index.utterances) {
    perClass[u.label] = (perClass[u.label] ?? 0) + 1;
    sampleRates[u.sampleRate] = (sampleRates[u.sampleRate] ?? 0) + 1;
    let s = speakers.get(u.speaker);
    if (!s) {
      s = { sex: u.sex, files: 0, perClass: Object.fromEntries(index.classes.map((c) => [c, 0])) };
      speakers.set(u.speaker, s);
    }
    s.files += 1;
    s.perClass[u.label] = (s.perClass[u.label] ?? 0) + 1;
  }
  const durations = index.utterances.map((u) => u.durationSec);
  const perSpeaker = [...speakers.entries()]
    .sort(([a], [b]) => compareSpeakers(a, b))
    .map(([speaker, s]) => ({ speaker, ...s }));
  const sexCount = (sex: Sex) => perSpeaker.filter((s) => s.sex === sex).length;
  return {
    corpus: index.corpus,
    root: index.root,
    classes: index.classes,
    files: index.utterances.length,
    speakers: perSpeaker.length,
    sex: { male: sexCount('male'), female: sexCount('female'), unknown: sexCount('unknown') },
    duration: {
      ...meanSd(durations),
      min: durations.reduce((m, v) => Math.min(m, v), durations.length ? Infinity : 0),
      max: durations.reduce((m, v) => Math.max(m, v), 0),
      total: durations.reduce((s, v) => s + v, 0),
    },
    sampleRates,
    perClass,
    perSpeaker,
    skipped: index.skipped,
    hash: index.hash,
  };
}
