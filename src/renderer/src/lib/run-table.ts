/**
 * The run table's columns, filter and sort (Experiment Manager / W&B style): one row per run or
 * sweep cell, config columns and metric columns. Plain functions so that the view stays a view.
 */
import type { RunInfo } from '@shared/contract';

export type ColumnKey =
  | 'name'
  | 'state'
  | 'sweep'
  | 'mode'
  | 'trainFrom'
  | 'learningRate'
  | 'epochs'
  | 'corpus'
  | 'weights'
  | 'backend'
  | 'executor'
  | 'host'
  | 'uar'
  | 'meanUar'
  | 'created';

export interface Column {
  key: ColumnKey;
  label: string;
  /** Numbers sort as numbers, right-aligned. */
  numeric?: boolean;
}

/** The config columns then the metric columns, as the table shows them. */
export const CONFIG_COLUMNS: Column[] = [
  { key: 'sweep', label: 'Sweep cell' },
  { key: 'mode', label: 'Mode' },
  { key: 'trainFrom', label: 'trainFrom' },
  { key: 'learningRate', label: 'LR', numeric: true },
  { key: 'epochs', label: 'Epochs', numeric: true },
  { key: 'corpus', label: 'Corpus' },
  { key: 'weights', label: 'Weights' },
  { key: 'backend', label: 'Backend' },
  { key: 'executor', label: 'Executor' },
  { key: 'host', label: 'Host' },
];
export const METRIC_COLUMNS: Column[] = [
  { key: 'uar', label: 'UAR pooled', numeric: true },
  { key: 'meanUar', label: 'UAR mean ± sd', numeric: true },
];

/** A sweep cell's swept values as `learningRate=0.001, seed=1` (last part of each field). */
export function sweptValues(r: RunInfo): string {
  if (!r.sweep) return '';
  return Object.entries(r.sweep.values)
    .map(([f, v]) => `${f.split('.').at(-1)}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

export function columnValue(r: RunInfo, key: ColumnKey): string | number | null {
  const c = r.columns;
  switch (key) {
    case 'name':
      return r.name;
    case 'state':
      return r.state;
    case 'sweep':
      return r.sweep ? sweptValues(r) : null;
    case 'mode':
      return r.mode;
    case 'trainFrom':
      return c?.trainFrom ?? null;
    case 'learningRate':
      return c?.learningRate ?? null;
    case 'epochs':
      return r.epochs;
    case 'corpus':
      return r.corpus;
    case 'weights':
      return c?.weights ?? null;
    case 'backend':
      return c?.backend ?? null;
    case 'executor':
      return c?.executor ?? null;
    case 'host':
      return c?.hosts.length ? c.hosts.join(', ') : null;
    case 'uar':
      return r.uar;
    case 'meanUar':
      return r.meanUar ?? null;
    case 'created':
      return r.createdAt;
  }
}

/** Every word of the filter must appear in the row (name, id, tags, notes, any column). */
export function matchesFilter(r: RunInfo, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const text = [
    r.id,
    r.name,
    r.state,
    ...(r.tags ?? []).map((t) => `#${t}`),
    r.notes ?? '',
    ...CONFIG_COLUMNS.map((c) => String(columnValue(r, c.key) ?? '')),
  ]
    .join(' ')
    .toLowerCase();
  return words.every((w) => text.includes(w));
}

export interface SortOrder {
  key: ColumnKey;
  descending: boolean;
}

/** Sorted by a column; empty values last whichever the direction. */
export function sortRuns(runs: RunInfo[], order: SortOrder): RunInfo[] {
  const sign = order.descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const va = columnValue(a, order.key);
    const vb = columnValue(b, order.key);
    if (va === null || va === '') return vb === null || vb === '' ? 0 : 1;
    if (vb === null || vb === '') return -1;
    if (typeof va === 'number' && typeof vb === 'number') return sign * (va - vb);
    return sign * String(va).localeCompare(String(vb), undefined, { numeric: true });
  });
}

/** Tags in use, for the tag filter. */
export function allTags(runs: RunInfo[]): string[] {
  return [...new Set(runs.flatMap((r) => r.tags ?? []))].sort();
}

export interface SweepGroup {
  id: string;
  name: string;
  fields: string[];
  cells: RunInfo[];
  /** The cell id(s) with the best pooled UAR. */
  best: string[];
}

/** The sweeps among the runs, each with its cells in cell order (for the sweep table). */
export function sweepGroups(runs: RunInfo[]): SweepGroup[] {
  const groups = new Map<string, SweepGroup>();
  for (const r of runs) {
    if (!r.sweep) continue;
    const g = groups.get(r.sweep.id) ?? {
      id: r.sweep.id,
      name: r.sweep.name,
      fields: [],
      cells: [],
      best: [],
    };
    g.cells.push(r);
    for (const f of Object.keys(r.sweep.values)) if (!g.fields.includes(f)) g.fields.push(f);
    groups.set(r.sweep.id, g);
  }
  for (const g of groups.values()) {
    g.cells.sort((a, b) => a.id.localeCompare(b.id));
    const scored = g.cells.filter((c) => c.uar !== null);
    const top = Math.max(...scored.map((c) => c.uar!));
    g.best = scored.filter((c) => c.uar === top).map((c) => c.id);
  }
  return [...groups.values()].sort((a, b) => b.id.localeCompare(a.id));
}
