/**
 * The title line every exported figure carries, so a PNG or SVG on its own still says what it
 * shows: run name, corpus, mode, fold (or 'pooled'), the YAMNet weights (only when the run used
 * YAMNet) and the backend. Plain data in, plain string out (the renderer and reports share it).
 */

/**
 * What the embedding of the all-speakers model is, said wherever it is shown (figure title line,
 * method line, legend, export): it has seen every utterance it embeds, so it is not a test result.
 */
export const VISUALISATION_MODEL_LABEL =
  'visualisation model \u2014 trained on all speakers, not a test result';

export interface FigureSource {
  run: string;
  corpus?: string;
  mode?: string;
  /**
   * 0-based fold, 'pooled' (all folds' predictions together), 'all folds' (one panel per fold) or
   * the visualisation model's label (trained on all speakers).
   */
  fold: number | 'pooled' | 'all folds' | typeof VISUALISATION_MODEL_LABEL;
  weights?: { source?: string; files?: { name: string; sha256: string }[] };
  backend?: string;
}

/** 'YAMNet weights: reconstructed (sha256 1a2b3c4d …)', or '' for a run that used no YAMNet. */
export function weightsText(w: FigureSource['weights']): string {
  if (!w?.source || w.source === 'none') return '';
  const hashes = (w.files ?? []).map((f) => f.sha256.slice(0, 8)).join(' ');
  return `YAMNet weights: ${w.source}${hashes ? ` (sha256 ${hashes})` : ''}`;
}

export function figureTitle(s: FigureSource): string {
  const fold = typeof s.fold === 'number' ? `fold ${s.fold + 1}` : s.fold;
  return [
    s.run,
    s.corpus,
    s.mode,
    fold,
    weightsText(s.weights) || (s.weights ? 'no YAMNet' : ''),
    s.backend && `backend ${s.backend}`,
  ]
    .filter((x): x is string => !!x)
    .join(' · ');
}
