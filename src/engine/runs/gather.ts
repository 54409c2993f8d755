/**
 * Writing a run's summary once, however many processes finish its last folds at the same time:
 * the writer holds gather.lock; a process that finds the summary already newer than every fold's
 * done.json reads it instead of writing it again ("two gatherers → one writes").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../eval/types';
import { readJson } from '../util/atomic';
import { sleepMs } from '../util/sleep';
import { upgradeRunSummary } from '../eval/schema';
import { tryClaim } from './claims';
import { foldDir, readCellsTable, type RunCellsTable } from './store';

export interface Gathered {
  summary: RunSummary;
  cells?: RunCellsTable;
  /** False when another process had written this summary already. */
  wrote: boolean;
}

function newestDoneMs(runDir: string, folds: number): number {
  let newest = 0;
  for (let i = 0; i < folds; i++) {
    try {
      newest = Math.max(newest, fs.statSync(path.join(foldDir(runDir, i), 'done.json')).mtimeMs);
    } catch {
      // A fold without done.json: the caller checked every fold is done.
    }
  }
  return newest;
}

function upToDate(runDir: string): boolean {
  try {
    const summary = readJson<RunSummary>(path.join(runDir, 'summary.json'));
    const at = fs.statSync(path.join(runDir, 'summary.json')).mtimeMs;
    return at >= newestDoneMs(runDir, summary.folds?.length ?? 0);
  } catch {
    return false;
  }
}

function readGathered(runDir: string): Gathered {
  const summary = upgradeRunSummary(readJson<RunSummary>(path.join(runDir, 'summary.json')));
  const cells = readCellsTable(runDir) ?? undefined;
  return { summary, ...(cells ? { cells } : {}), wrote: false };
}

/**
 * A writer killed after its summary landed leaves gather.lock behind: taking the stale claim
 * over and releasing it removes it (a live writer's claim is left alone).
 */
function clearStaleLock(lockFile: string): void {
  if (!fs.existsSync(lockFile)) return;
  const got = tryClaim(lockFile, 'summary');
  if ('claim' in got) got.claim.release();
}

/** Runs `write` under gather.lock unless the summary is up to date (or `force`, by hand). */
export function gatherOnce(
  runDir: string,
  force: boolean,
  write: () => { summary: RunSummary; cells?: RunCellsTable },
): Gathered {
  const lockFile = path.join(runDir, 'gather.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (!force && upToDate(runDir)) {
      clearStaleLock(lockFile);
      return readGathered(runDir);
    }
    const got = tryClaim(lockFile, 'summary');
    if ('claim' in got) {
      try {
        if (!force && upToDate(runDir)) return readGathered(runDir);
        return { ...write(), wrote: true };
      } finally {
        got.claim.release();
      }
    }
    // Another process is writing it: wait for its result (a summary takes well under a second).
    if (Date.now() > deadline) return { ...write(), wrote: true };
    sleepMs(100);
  }
}
