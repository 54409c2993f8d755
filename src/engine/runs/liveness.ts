/**
 * A run's state as seen from outside its processes. status.json says what its writer last did;
 * a writer killed with SIGKILL (or a machine that went down) leaves 'running' behind, so the
 * state is checked against the processes: the writer's pid and host, and the live fold claims.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { liveFoldClaims, ownerGone } from './claims';
import type { RunStatus } from './status';

export type RunLivenessState = RunStatus['state'] | 'interrupted' | 'unknown';

export interface RunLiveness {
  state: RunLivenessState;
  /** Folds left and nobody training them: `run --resume` continues the run. */
  resumable: boolean;
  /** Folds being trained right now, by live processes (0-based). */
  training: number[];
}

export function runLiveness(runDir: string, status: RunStatus | null, foldsDone: number[]): RunLiveness {
  const training = [...liveFoldClaims(runDir).keys()].sort((a, b) => a - b);
  const folds = status?.folds ?? 0;
  const left = folds === 0 || foldsDone.length < folds;
  if (!status) return { state: 'unknown', resumable: false, training };
  if (training.length) return { state: 'running', resumable: false, training };
  let state: RunLivenessState = status.state;
  if (state === 'running') {
    let updated = 0;
    try {
      updated = fs.statSync(path.join(runDir, 'status.json')).mtimeMs;
    } catch {
      // no status file: judged by its content alone
    }
    // Old status files have no host: then only the pid can be checked, on this machine.
    const gone = ownerGone(
      { host: status.host ?? os.hostname(), pid: status.pid, procStart: status.procStart },
      updated,
    );
    if (gone) state = 'interrupted';
  }
  const resumable =
    left &&
    (state === 'interrupted' || state === 'incomplete' || state === 'cancelled' || state === 'failed');
  return { state, resumable, training };
}
