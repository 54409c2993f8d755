/**
 * Progress events of a training job: what the worker sends, what the CLI prints on stderr and
 * what the UI shows. Plain JSON, so they cross process boundaries unchanged.
 */
import type { EpochMetrics, TrainEvent, TrainEventType } from '@shared/progress';

// The events are declared in src/shared (they cross process boundaries); printing them is here.
export type { TrainEventType, EpochMetrics, TrainEvent };

export type TrainEventSink = (event: TrainEvent) => void;

/**
 * A metric for a terminal: `n/a` for null, undefined or non-finite. Events cross JSON, which turns
 * NaN into null, so a printer must never assume a number is there.
 */
function fixed(x: number | null | undefined, digits: number): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** One line for a terminal: "fold 3/24 epoch 12/50 loss 0.812 val UAR 0.604 ETA 5m12s". */
export function formatEvent(e: TrainEvent): string {
  const eta =
    typeof e.etaSec === 'number' && Number.isFinite(e.etaSec) ? ` ETA ${formatDuration(e.etaSec)}` : '';
  const where = e.fold >= 0 ? `fold ${e.fold + 1}/${e.folds}` : '';
  switch (e.type) {
    case 'fold':
      return `${where}${e.message ? ': ' + e.message : ''}${eta}`;
    case 'epoch': {
      const m = e.metrics ?? {};
      const val = m.valAverageAccuracy !== undefined ? ` val UAR ${fixed(m.valAverageAccuracy, 3)}` : '';
      const loss = e.loss !== undefined ? ` loss ${fixed(e.loss, 4)}` : '';
      return `${where} epoch ${e.epoch}/${e.epochs}${loss}${val}${eta}`;
    }
    case 'batch':
      return `${where} epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches}${e.loss !== undefined ? ` loss ${fixed(e.loss, 4)}` : ''}`;
    case 'log':
      return `${e.level === 'warn' ? 'warning: ' : ''}${e.message ?? ''}`;
    case 'done':
      return `done${e.message ? ': ' + e.message : ''}`;
    case 'error':
      return `error: ${e.message ?? ''}`;
  }
}

export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
