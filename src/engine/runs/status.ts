/** What status.json says of a run: its state and where it is (written by the process that owns the run). */
/** 'incomplete': the processes stopped with folds left (a `--folds` run, or tasks still to come). */
export type RunState = 'running' | 'done' | 'failed' | 'cancelled' | 'incomplete' | 'queued';

export interface RunStatus {
  state: RunState;
  /** 0-based fold in progress (or last). */
  fold: number;
  folds: number;
  epoch: number;
  epochs: number;
  foldsDone: number[];
  updated: string;
  pid?: number;
  /** Host of `pid` (a pid means nothing on another machine sharing the folder). */
  host?: string;
  /** Start of `pid` in clock ticks since boot, to tell a recycled pid from the writer. */
  procStart?: number;
  error?: string;
  etaSec?: number;
}
