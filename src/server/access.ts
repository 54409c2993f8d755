/**
 * Which local paths the UI may open. The renderer names files by path; every such path must lie
 * inside a folder the user configured (or the runs folder), after resolving symlinks, so that a
 * page cannot read arbitrary files through the contract.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OUTSIDE_LINK_REASON } from '../engine/corpora/scan';

export class AccessError extends Error {
  constructor(
    readonly target: string,
    message = `${target} is outside the folders this workbench may open (add it under Settings → data folders)`,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** True when `target` is `root` or below it. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of `target`, or an AccessError when it is not under one of `roots`. */
export function permittedPath(roots: string[], target: string): string {
  if (!path.isAbsolute(target)) throw new AccessError(target);
  const real = realOrResolved(target);
  for (const root of roots) {
    if (isInside(realOrResolved(root), real)) return real;
  }
  // A path inside a data folder that resolves elsewhere is a link leaving it: the index skips
  // such links (engine/corpora/scan.ts), and opening one is refused in the same words.
  if (
    roots.some(
      (r) =>
        isInside(path.resolve(r), path.resolve(target)) || isInside(realOrResolved(r), path.resolve(target)),
    )
  )
    throw new AccessError(
      target,
      `${target}: ${OUTSIDE_LINK_REASON} (to ${real}); such links are not followed`,
    );
  throw new AccessError(target);
}
