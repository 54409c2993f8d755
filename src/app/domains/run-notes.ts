/**
 * A researcher's tags and notes on a run, kept in its folder (notes.json, written atomically) so
 * that they travel with the run when it is copied, trashed or restored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../../engine/util/atomic';

const NOTES_FILE = 'notes.json';

export interface RunNotes {
  tags: string[];
  notes: string;
}

export function readNotes(runDir: string): RunNotes {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(runDir, NOTES_FILE), 'utf8')) as Partial<RunNotes>;
    return {
      tags: Array.isArray(v.tags) ? v.tags.filter((t): t is string => typeof t === 'string') : [],
      notes: typeof v.notes === 'string' ? v.notes : '',
    };
  } catch {
    return { tags: [], notes: '' };
  }
}

/** Replaces the given parts (tags: trimmed, without duplicates) and keeps the others. */
export function writeNotes(runDir: string, change: Partial<RunNotes>): RunNotes {
  const prior = readNotes(runDir);
  const next: RunNotes = {
    tags: change.tags ? [...new Set(change.tags.map((t) => t.trim()).filter(Boolean))] : prior.tags,
    notes: change.notes ?? prior.notes,
  };
  writeJsonAtomic(path.join(runDir, NOTES_FILE), next);
  return next;
}
