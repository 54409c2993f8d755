/**
 * File system errors about a path (a missing folder, no permission, a symlink loop): the
 * message a user can act on, naming the path. The CLI treats them as bad input (exit 1) and the
 * server as a user error (422), not as a bug.
 */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ELOOP: 'a symbolic link loop',
  ENAMETOOLONG: 'the name is too long',
};

/** `<path>: <reason> (<syscall>)` for a file system error on a path, or null for anything else. */
export function pathErrorMessage(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException | null;
  if (!e || typeof e !== 'object' || !e.code || !(e.code in REASONS) || !e.path) return null;
  return `${e.path}: ${REASONS[e.code]}${e.syscall ? ` (${e.syscall})` : ''}`;
}
