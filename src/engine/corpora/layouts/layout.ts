import path from 'node:path';
import type { CorpusName, FileLabel } from '../types';

/** Why one file cannot be used (unknown code, wrong modality, ...); the file goes to `skipped`. */
export class NameError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NameError';
  }
}

/** One file a layout looked at: labelled, or rejected with the reason. */
export type LayoutEntry = { id: string; file: FileLabel } | { id: string; reason: string };

/** A corpus layout: turns the audio files found under the root into labelled entries. */
export interface Layout {
  name: CorpusName;
  /**
   * Entries for the given audio IDs (paths relative to the root, forward slashes). Layouts with
   * a manifest list their own files (and may name files the scan did not find).
   */
  entries(audioIds: string[]): LayoutEntry[];
}

/** A layout whose labels come from each file's path alone. */
export interface NameParser {
  name: CorpusName;
  /** Does this path look like the layout at all (used for detection)? */
  matches(id: string): boolean;
  /** Label of one file; throws NameError with the reason when it cannot be used. */
  parse(id: string): FileLabel;
}

export function nameLayout(parser: NameParser): Layout {
  return {
    name: parser.name,
    entries: (ids) => ids.map((id) => labelEntry(id, () => parser.parse(id))),
  };
}

export function labelEntry(id: string, parse: () => FileLabel): LayoutEntry {
  try {
    return { id, file: parse() };
  } catch (err) {
    if (err instanceof NameError) return { id, reason: err.message };
    throw err;
  }
}

/** File name without folders and without the audio extension. */
export function stem(id: string): string {
  return path.posix.basename(id).replace(/\.[^.]+$/, '');
}

/** Looks a code up in a table, or throws a NameError naming the code and the field. */
export function lookup<T>(table: Record<string, T>, code: string, field: string): T {
  const value = Object.prototype.hasOwnProperty.call(table, code) ? table[code] : undefined;
  if (value === undefined) throw new NameError(`unknown ${field} code '${code}'`);
  return value;
}
