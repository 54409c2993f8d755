import type { CrossCorpusResult } from '@shared/cross-corpus';

/** A format-neutral report: the renderers (md, csv, latex, json, html) only lay these out. */

export type Cell =
  | {
      kind: 'number';
      value: number | null;
      sd?: number | null;
      /** print '+' on positive values (differences) */ signed?: boolean;
    }
  | { kind: 'count'; value: number }
  /** A confidence interval [lo, hi] at `level` (0.95). */
  | { kind: 'interval'; lo: number | null; hi: number | null; level: number }
  | { kind: 'text'; text: string };

export type RowKind = 'fold' | 'pooled' | 'mean' | 'ci' | 'paper' | 'delta' | 'actual' | 'speaker';

export interface ReportRow {
  label: string;
  kind: RowKind;
  cells: Cell[];
}

export interface ReportTable {
  /** Stable id: 'table-ii', 'confusion-pooled', 'paper-comparison', ... */
  id: string;
  title: string;
  /** Header of the label column, then one per cell. */
  columns: string[];
  rows: ReportRow[];
  notes: string[];
}

export interface ProtocolDifference {
  aspect: string;
  paper: string;
  run: string;
  same: boolean;
}

export interface RunReport {
  title: string;
  /** Name/value lines saying what made the numbers: weights with sha256, backend, corpus, ... */
  provenance: { label: string; value: string }[];
  tables: ReportTable[];
  /** A cross-corpus run's matrix as summary.json holds it (its tables are in `tables`). */
  crossCorpus?: CrossCorpusResult;
  /** Present with --paper. */
  paper?: { source: string; differences: ProtocolDifference[]; notes: string[] };
}

export type ReportFormat = 'md' | 'csv' | 'latex' | 'json';
export const REPORT_FORMATS: ReportFormat[] = ['md', 'csv', 'latex', 'json'];
