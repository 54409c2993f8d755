import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../util/errors';

/** Extensions the decoder reads. */
export const AUDIO_EXTENSIONS = ['.wav', '.flac'];
/** Audio the decoder does not read: reported as skipped rather than silently ignored. */
const OTHER_AUDIO = ['.mp3', '.ogg', '.oga', '.opus', '.m4a', '.aac', '.wma', '.aif', '.aiff'];

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  /** Audio files by ID (path relative to the root, forward slashes). */
  audio: Map<string, FileStat>;
  /** Audio in formats the decoder does not read. */
  unsupported: string[];
  /** Every other file's ID (for side files: manifests, demographics, markers). */
  other: string[];
}

/** Walks a corpus folder (read-only), skipping hidden entries, in sorted order. */
export function scanCorpus(root: string): ScanResult {
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(root);
  } catch {
    throw new FileError(root, 'no such folder');
  }
  if (!rootStat.isDirectory()) throw new FileError(root, 'not a folder');
  const out: ScanResult = { audio: new Map(), unsupported: [], other: [] };
  // Real paths of the folders walked, so a symlink back up the tree is not followed forever.
  const visited = new Set<string>();
  const walk = (dir: string, prefix: string): void => {
    const real = fs.realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new FileError(dir, `cannot list folder (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      const id = prefix + e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const s = fs.statSync(full, { throwIfNoEntry: false });
        isDir = !!s?.isDirectory();
        isFile = !!s?.isFile();
      }
      if (isDir) walk(full, id + '/');
      else if (isFile) {
        const ext = path.extname(e.name).toLowerCase();
        if (AUDIO_EXTENSIONS.includes(ext)) {
          const s = fs.statSync(full);
          out.audio.set(id, { size: s.size, mtimeMs: s.mtimeMs });
        } else if (OTHER_AUDIO.includes(ext)) out.unsupported.push(id);
        else out.other.push(id);
      }
    }
  };
  walk(root, '');
  return out;
}
