/**
 * Claims: lock files that let any number of processes (on one machine, or on cluster nodes that
 * share the file system) fill one run folder without two of them doing the same work.
 *
 *   <runDir>/run.lock                     the process that keeps status.json for the run
 *   <runDir>/folds/fold-NN/claim.lock     the process training that fold
 *   <runDir>/gather.lock                  the process writing summary.json
 *
 * A claim is created with O_EXCL (exactly one creator wins, also on NFS v3+), and holds who made
 * it: host, pid, the pid's start time (so a recycled pid is not mistaken for the owner) and when.
 * A claim is stale when its owner is provably gone: on this host, the pid is dead or belongs to a
 * later process; on another host (we cannot see its processes), its heartbeat (the lock file's
 * mtime, touched every HEARTBEAT_MS by the owner) is older than staleAfterMs. A stale claim is
 * taken over under a second O_EXCL file (`<claim>.takeover`): its holder reads the claim again
 * and removes it only if it is still the stale one, then creates its own; so of several processes
 * taking over one stale claim exactly one ends up holding it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleepMs } from '../util/sleep';

export interface ClaimOwner {
  host: string;
  pid: number;
  /** When the claim was made (ISO time). */
  started: string;
  /** The owner process's start time in clock ticks since boot (Linux /proc), to tell a recycled pid. */
  procStart?: number;
  /** What the claim is for ("fold 3", "run"), for messages. */
  what?: string;
  /** A Slurm job id, where the owner is an array task. */
  jobId?: string;
}

const HEARTBEAT_MS = 15_000;

/** A claim from another host counts as stale after this long without a heartbeat. */
export function staleAfterMs(): number {
  const env = Number(process.env.SER_CLAIM_STALE_SEC);
  return (Number.isFinite(env) && env > 0 ? env : 120) * 1000;
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), where /proc exists. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process as a claim owner. */
export function selfOwner(what?: string): ClaimOwner {
  const jobId = process.env.SLURM_ARRAY_JOB_ID
    ? `${process.env.SLURM_ARRAY_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID ?? ''}`
    : process.env.SLURM_JOB_ID;
  return {
    host: os.hostname(),
    pid: process.pid,
    started: new Date().toISOString(),
    procStart: processStartTicks(process.pid),
    ...(what ? { what } : {}),
    ...(jobId ? { jobId } : {}),
  };
}

/** Whether the owner of a claim (or of a status.json) is provably gone. */
export function ownerGone(owner: Partial<ClaimOwner>, heartbeatMs: number, now = Date.now()): boolean {
  if (owner.host === os.hostname() && owner.pid) {
    if (!pidAlive(owner.pid)) return true;
    // Same pid, different process start: the pid was recycled after the owner died.
    const ticks = processStartTicks(owner.pid);
    return owner.procStart !== undefined && ticks !== undefined && ticks !== owner.procStart;
  }
  return now - heartbeatMs > staleAfterMs();
}

export function readClaim(file: string): { owner: ClaimOwner; heartbeatMs: number } | null {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as ClaimOwner;
    return { owner, heartbeatMs: fs.statSync(file).mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Half-written by a creator killed between open and write: judge by the file's age alone.
    try {
      return { owner: { host: '', pid: 0, started: '' }, heartbeatMs: fs.statSync(file).mtimeMs };
    } catch {
      return null;
    }
  }
}

/** A live claim of another process on `file`, or null when the file is free or stale. */
export function liveClaim(file: string): ClaimOwner | null {
  const c = readClaim(file);
  if (!c) return null;
  return ownerGone(c.owner, c.heartbeatMs) ? null : c.owner;
}

export interface Claim {
  file: string;
  owner: ClaimOwner;
  /** The stale claim this one replaced, if any. */
  tookOver?: ClaimOwner;
  release(): void;
}

export type ClaimResult = { claim: Claim } | { heldBy: ClaimOwner };

function createExclusive(file: string, owner: ClaimOwner): boolean {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, JSON.stringify(owner) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function makeClaim(file: string, owner: ClaimOwner, tookOver?: ClaimOwner): Claim {
  // The heartbeat lets processes on other hosts see that this claim is alive.
  const timer = setInterval(() => {
    try {
      const t = new Date();
      fs.utimesSync(file, t, t);
    } catch {
      // Released or taken over (after a long stall): nothing to keep alive.
    }
  }, HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    file,
    owner,
    ...(tookOver ? { tookOver } : {}),
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      // Remove only our own claim, never one that replaced it after we were judged stale.
      const c = readClaim(file);
      if (
        c &&
        c.owner.pid === owner.pid &&
        c.owner.host === owner.host &&
        c.owner.started === owner.started
      ) {
        fs.rmSync(file, { force: true });
      }
    },
  };
}

/**
 * Claims `file` for this process: creates it, or takes it over from a dead owner. Returns the
 * claim, or the live owner that holds it.
 */
export function tryClaim(file: string, what?: string): ClaimResult {
  const owner = selfOwner(what);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(file, owner)) return { claim: makeClaim(file, owner) };
    const held = readClaim(file);
    if (!held) continue; // released between our open and read: try again
    if (held.owner.pid === process.pid && held.owner.host === owner.host) {
      return { heldBy: held.owner }; // this process holds it already (a second claim would be a bug)
    }
    if (!ownerGone(held.owner, held.heartbeatMs)) return { heldBy: held.owner };
    // Stale. Only the holder of the takeover mutex may remove it, and only after reading it again
    // under the mutex: so a fresh claim that replaced the stale one is never removed.
    if (!takeOver(file, held.owner)) {
      sleepMs(20);
      continue;
    }
    if (createExclusive(file, owner)) return { claim: makeClaim(file, owner, held.owner) };
  }
  const held = readClaim(file);
  return { heldBy: held?.owner ?? { host: '?', pid: 0, started: '' } };
}

/** Removes the stale claim `stale` on `file` under `<file>.takeover`; false if another taker is at it. */
function takeOver(file: string, stale: ClaimOwner): boolean {
  const mutex = `${file}.takeover`;
  if (!createExclusive(mutex, selfOwner('takeover'))) {
    // A taker that died inside this short section leaves the mutex behind: clear it when old.
    try {
      if (Date.now() - fs.statSync(mutex).mtimeMs > 30_000) fs.rmSync(mutex, { force: true });
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    const now = readClaim(file);
    const same =
      now &&
      now.owner.pid === stale.pid &&
      now.owner.host === stale.host &&
      now.owner.started === stale.started;
    if (same) fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.rmSync(mutex, { force: true });
  }
}

export function describeOwner(o: ClaimOwner): string {
  return `pid ${o.pid} on ${o.host}${o.jobId ? ` (Slurm job ${o.jobId})` : ''} since ${o.started}`;
}

/** Temporary files of atomic writes (`<file>.tmp-<pid>-<rand>`). */
const TEMP_RE = /\.(tmp)-(\d+)-[a-z0-9]*$/;

/**
 * Removes what killed writers left behind in a run folder: temp files of atomic writes whose
 * writer is gone. A temp file's pid is only meaningful on this host, so when processes on other
 * hosts hold claims in this folder, only temps older than the stale limit go.
 */
export function cleanStaleTemps(runDir: string, remoteWriters: boolean): string[] {
  const removed: string[] = [];
  const now = Date.now();
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < 4) walk(p, depth + 1);
        continue;
      }
      const m = TEMP_RE.exec(e.name);
      if (!m) continue;
      const pid = Number(m[2]);
      if (pid === process.pid || pidAlive(pid)) continue;
      try {
        if (remoteWriters && now - fs.statSync(p).mtimeMs < staleAfterMs()) continue;
        fs.rmSync(p, { force: true });
        removed.push(path.relative(runDir, p));
      } catch {
        // Renamed into place or removed by its writer meanwhile.
      }
    }
  };
  walk(runDir, 0);
  return removed;
}

/** Fold claims in a run folder held by live processes: fold index → owner. */
export function liveFoldClaims(runDir: string): Map<number, ClaimOwner> {
  const out = new Map<number, ClaimOwner>();
  const root = path.join(runDir, 'folds');
  if (!fs.existsSync(root)) return out;
  for (const name of fs.readdirSync(root)) {
    const m = /^fold-(\d+)$/.exec(name);
    if (!m) continue;
    const owner = liveClaim(path.join(root, name, 'claim.lock'));
    if (owner) out.set(Number(m[1]) - 1, owner);
  }
  return out;
}

/** Whether a live process on another host holds a claim in this run folder. */
export function remoteClaims(runDir: string): boolean {
  const host = os.hostname();
  const run = liveClaim(path.join(runDir, 'run.lock'));
  if (run && run.host !== host) return true;
  return [...liveFoldClaims(runDir).values()].some((o) => o.host !== host);
}
