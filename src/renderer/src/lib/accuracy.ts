/** Accuracies in the one unit a view uses: percent (81.2) or fraction (0.812). */
import type { AccuracyUnit } from '../stores/prefs';

export function formatAccuracy(v: number | null, unit: AccuracyUnit): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return unit === 'percent' ? (v * 100).toFixed(1) : v.toFixed(3);
}

/** A value ± sd, signed when it is a difference. */
export function formatAccuracyCell(
  n: { value: number | null; sd: number | null; signed: boolean; interval?: [number | null, number | null] },
  unit: AccuracyUnit,
): string {
  if (n.interval) {
    const [lo, hi] = n.interval;
    return lo === null || hi === null ? '–' : `[${formatAccuracy(lo, unit)}, ${formatAccuracy(hi, unit)}]`;
  }
  const v = formatAccuracy(n.value, unit);
  const text = n.signed && n.value !== null && n.value > 0 ? `+${v}` : v;
  return n.sd !== null && n.value !== null ? `${text} ± ${formatAccuracy(n.sd, unit)}` : text;
}

export function unitLabel(unit: AccuracyUnit): string {
  return unit === 'percent' ? '%' : 'fraction';
}
