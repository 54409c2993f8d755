import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../util/errors';

/** Extensions the decoder reads. */
export const AUDIO_EXTENSIONS = ['.wav', '.flac'];
/** Audio the decoder does not read: reported as skipped rather than silently ignored. */
const OTHER_AUDIO = ['.mp3', '.ogg', '.oga', '.opus', '.m4a', '.aac', '.wma', '.aif', '.aiff'];

/**
 * The reason given for a symlink whose target lies outside the corpus folder. Policy (README,
 * "Corpus folders and symlinks"): such links are not followed but skipped and listed, by the
 * index and by everything built on it (the Datasets view, the audio player); the served mode
 * refuses to open them with the same words.
 */
export const OUTSIDE_LINK_REASON = 'links outside the corpus folder';

export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** A path the scan could not use, with why. */
export interface ScanSkip {
  path: string;
  reason: string;
}

export interface ScanResult {
  /** Audio files by ID (path relative to the root, forward slashes). */
  audio: Map<string, FileStat>;
  /** Audio in formats the decoder does not read. */
  unsupported: string[];
  /** Every other file's ID (for side files: manifests, demographics, markers). */
  other: string[];
  /** Links, folders and files that could not be followed or read: listed, and the scan goes on. */
  skipped: ScanSkip[];
}

/** True when `target` is `root` or below it (both real paths). */
export function isInsideFolder(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** Why a link cannot be followed, from the error resolving it. */
function linkProblem(err: unknown): string {
  const c = code(err);
  if (c === 'ELOOP') return 'symlink loop (the link resolves to itself)';
  if (c === 'ENOENT') return 'dangling symlink (its target does not exist)';
  return `cannot follow symlink (${c})`;
}

/**
 * Walks a corpus folder (read-only), skipping hidden entries, in sorted order. Only a missing or
 * unlistable root is an error; below it, symlink loops, dangling links, links leaving the folder,
 * unlistable folders and entries that cannot be inspected are listed in `skipped` with the reason.
 */
export function scanCorpus(root: string): ScanResult {
  let rootStat: fs.Stats;
  let realRoot: string;
  try {
    rootStat = fs.statSync(root);
    realRoot = fs.realpathSync(root);
  } catch (err) {
    const c = code(err);
    throw new FileError(root, c === 'ENOENT' ? 'no such folder' : `cannot open folder (${c})`);
  }
  if (!rootStat.isDirectory()) throw new FileError(root, 'not a folder');
  const out: ScanResult = { audio: new Map(), unsupported: [], other: [], skipped: [] };
  const skip = (p: string, reason: string) => out.skipped.push({ path: p, reason });
  // Real paths of the folders walked, so a symlink back up the tree is not followed forever.
  const visited = new Set<string>();

  const walk = (dir: string, real: string, prefix: string): void => {
    visited.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (dir === root) throw new FileError(root, `cannot list folder (${code(err)})`);
      skip(dir, `cannot list folder (${code(err)})`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      const id = prefix + e.name;
      let target = path.join(real, e.name);
      let stat: fs.Stats;
      try {
        if (e.isSymbolicLink()) {
          try {
            target = fs.realpathSync(full);
          } catch (err) {
            skip(full, linkProblem(err));
            continue;
          }
          if (!isInsideFolder(realRoot, target)) {
            skip(full, `${OUTSIDE_LINK_REASON} (to ${target})`);
            continue;
          }
        }
        stat = fs.statSync(target);
      } catch (err) {
        skip(full, `cannot inspect (${code(err)})`);
        continue;
      }
      if (stat.isDirectory()) {
        if (visited.has(target)) {
          if (e.isSymbolicLink()) skip(full, `symlink loop (links to ${target}, already indexed)`);
          continue;
        }
        walk(full, target, id + '/');
      } else if (stat.isFile()) {
        const ext = path.extname(e.name).toLowerCase();
        if (AUDIO_EXTENSIONS.includes(ext)) out.audio.set(id, { size: stat.size, mtimeMs: stat.mtimeMs });
        else if (OTHER_AUDIO.includes(ext)) out.unsupported.push(id);
        else out.other.push(id);
      } else if (AUDIO_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) {
        // A FIFO, socket or device named like audio: reading it could block or never end.
        skip(full, `not a regular file (${kindOf(stat)})`);
      }
    }
  };
  walk(root, realRoot, '');
  return out;
}

function kindOf(s: fs.Stats): string {
  if (s.isFIFO()) return 'a named pipe';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a file or folder';
}
