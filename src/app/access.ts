/**
 * Which local paths the UI may open. The renderer names files by path; every such path must lie
 * inside a folder the user configured (or the runs folder), after resolving symlinks, so that a
 * page cannot read arbitrary files through the contract. `permittedPath` is the one check every
 * file-reaching handler, `GET /file`, the static files and Electron's media scheme go through.
 *
 * Symlinks: a link inside a permitted folder that points outside every permitted folder is not
 * followed (the corpus indexer skips and lists such links the same way); the refusal names the
 * link and where it points, not just the path asked for.
 */
import fs from 'node:fs';
import path from 'node:path';

const OUTSIDE = 'is outside the folders this workbench may open (add it under Settings → data folders)';

export class AccessError extends Error {
  constructor(
    readonly target: string,
    message = `${target} ${OUTSIDE}`,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

/** A path shown in a message: control characters (a NUL, say) escaped so the line stays readable. */
function shown(p: string): string {
  return JSON.stringify(p).slice(1, -1);
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The real path of `p`: every existing component with its symlinks resolved, the part that does
 * not exist yet appended as written. A symlink loop is refused (there is no real path).
 */
export function resolveReal(p: string, depth = 0): string {
  const rest: string[] = [];
  let existing = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || depth > 40) throw new AccessError(p, `${shown(p)}: a symbolic link loop`);
      // A dangling link still points somewhere: judge it by where it points.
      if (isLink(existing)) {
        const to = path.resolve(path.dirname(existing), fs.readlinkSync(existing));
        return path.join(resolveReal(to, depth + 1), ...rest);
      }
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(p);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** True when `target` is `root` or below it. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The first symlink between `root` and `target` (as written) whose real target is outside `realRoots`. */
function leavingLink(root: string, target: string, realRoots: string[]): { link: string; to: string } | null {
  let at = root;
  for (const part of path.relative(root, target).split(path.sep).filter(Boolean)) {
    at = path.join(at, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(at);
    } catch {
      return null;
    }
    if (stat.isSymbolicLink()) {
      const to = resolveReal(at);
      if (!realRoots.some((r) => isInside(r, to))) return { link: at, to };
    }
  }
  return null;
}

/**
 * The real path of `target`, or an AccessError when it is not under one of `roots` once
 * resolved: relative paths, NUL bytes, `..` that climbs out, symlinks that lead out and symlink
 * loops are all refused here, before any handler opens anything.
 */
export function permittedPath(roots: string[], target: string): string {
  if (typeof target !== 'string' || target.length === 0)
    throw new AccessError(String(target), 'no path given');
  if (target.includes('\0'))
    throw new AccessError(target, `${shown(target)}: a path may not contain a NUL byte`);
  if (!path.isAbsolute(target)) throw new AccessError(target, `${target}: not an absolute path`);
  const realRoots = roots.map(resolveReal);
  const real = resolveReal(target);
  if (realRoots.some((r) => isInside(r, real))) return real;
  // Inside a permitted folder as written, outside once resolved: a symlink leads out. Name it.
  const lexical = path.resolve(target);
  for (const root of [...roots.map((r) => path.resolve(r)), ...realRoots]) {
    if (!isInside(root, lexical)) continue;
    const out = leavingLink(root, lexical, realRoots);
    if (out) {
      const opening = out.link === lexical ? '' : ` (opening ${shown(target)})`;
      throw new AccessError(
        target,
        `${shown(out.link)} is a symbolic link to ${shown(out.to)}, outside the folders this workbench ` +
          `may open; links that leave a data folder are not followed${opening}`,
      );
    }
  }
  throw new AccessError(target, `${shown(target)} ${OUTSIDE}`);
}
