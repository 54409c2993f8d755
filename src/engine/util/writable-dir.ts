/**
 * Output folders (a run's `--out`, the runs folder, the data home) checked and created before
 * anything starts, so a bad location is one user error naming the path and the reason rather than
 * a stack trace halfway through a run.
 *
 * Why not `fs.mkdirSync(dir, { recursive: true })`: where the kernel answers mkdir with ENOENT
 * although the parent exists (`/proc/x`), Node's recursive mkdir takes that as "parent missing",
 * creates the parent (EEXIST), retries the child and never stops. Here each component is created
 * once, in order, so the work is bounded by the number of components.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileError } from './errors';

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/**
 * Makes sure `dir` is a folder this process can write to, creating it and any missing parents.
 * `what` says which location it is (e.g. "runs folder (--out)"); failures are a FileError naming
 * `dir`, the component that failed and why.
 */
export function ensureWritableDir(dir: string, what: string): string {
  const abs = path.resolve(dir);
  const fail = (problem: string): never => {
    throw new FileError(abs, `${what}: ${problem}`);
  };
  const { root } = path.parse(abs);
  const parts = abs.slice(root.length).split(path.sep).filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = path.join(current, part);
    let stat = statOrNull(current, fail);
    if (!stat) {
      try {
        fs.mkdirSync(current);
      } catch (err) {
        if (code(err) !== 'EEXIST') fail(`cannot create ${current} (${code(err)})`);
      }
      stat = statOrNull(current, fail);
      if (!stat) fail(`cannot create ${current} (it does not appear after mkdir)`);
    }
    if (!stat!.isDirectory()) fail(`${current} is not a folder`);
  }
  // Creating is not writing: a read-only mount or a folder owned by someone else fails here.
  const probe = path.join(abs, `.ser-write-check-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    fs.writeFileSync(probe, '');
  } catch (err) {
    fail(`cannot write in it (${code(err)})`);
  } finally {
    fs.rmSync(probe, { force: true });
  }
  return abs;
}

function statOrNull(p: string, fail: (problem: string) => never): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (err) {
    if (code(err) === 'ENOENT') return null;
    return fail(`cannot inspect ${p} (${code(err)})`);
  }
}
