/**
 * A rendezvous of processes through a folder: each arrives by writing a file named for its pid,
 * then waits until `parties` files are there or the time is up. A parallel run's estimate workers
 * meet here right before they time their steps, so that they time them while sharing the machine
 * as the fold workers will. Started one after another, they loaded TensorFlow and YAMNet at
 * different moments, and on a 2-vCPU guest the first had timed most of its frozen steps alone
 * (estimate 0.75x the measured epoch) before the second began.
 *
 * Synchronous, because calibration is: the waiting process has nothing else to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sleepMs } from '../util/sleep';

const POLL_MS = 10;

const PARTIES = 'parties';
const ARRIVAL = 'arrived-';

/** Sets up a barrier for `parties` processes in `dir` (arrivals of an earlier, interrupted round removed). */
export function openBarrier(dir: string, parties: number): void {
  closeBarrier(dir);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, PARTIES), String(parties));
}

/**
 * Arrives at the barrier in `dir` and waits for all its parties (this one included) or
 * `timeoutMs`. Returns whether all arrived: a party that died or never came costs the others the
 * timeout, never a hang. Without a barrier set up there (openBarrier), returns false at once.
 */
export function waitAtBarrier(dir: string, timeoutMs: number): boolean {
  let parties: number;
  try {
    parties = Number(fs.readFileSync(path.join(dir, PARTIES), 'utf8'));
  } catch {
    return false;
  }
  fs.writeFileSync(path.join(dir, `${ARRIVAL}${process.pid}`), '');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (fs.readdirSync(dir).filter((f) => f.startsWith(ARRIVAL)).length >= parties) return true;
    if (Date.now() >= deadline) return false;
    sleepMs(POLL_MS);
  }
}

export function closeBarrier(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
