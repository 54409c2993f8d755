import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { FileError } from '../../util/errors';
import { normalizeLabel } from '../labels';
import type { CorpusName, Sex } from '../types';
import type { Layout, LayoutEntry } from './layout';

/** Columns a manifest must have; `sex` and `split` are optional. */
export const MANIFEST_COLUMNS = ['path', 'label', 'speaker'] as const;

export function parseSex(text: string | undefined): Sex {
  const s = (text ?? '').trim().toLowerCase();
  if (s === 'm' || s === 'male') return 'male';
  if (s === 'f' || s === 'female') return 'female';
  return 'unknown';
}

/** Is this CSV a manifest (its header has path, label and speaker)? */
export function isManifest(file: string): boolean {
  try {
    const head = fs
      .readFileSync(file, 'utf8')
      .split(/\r?\n/, 1)[0]
      .replace(/^\uFEFF/, '');
    const cols = head.split(',').map((c) => c.trim().toLowerCase());
    return MANIFEST_COLUMNS.every((c) => cols.includes(c));
  } catch {
    return false;
  }
}

/**
 * A CSV manifest `path,label,speaker[,sex][,split]` with paths relative to the CSV. Rows name
 * their files, so the entries are the rows, not the scanned files. IDs are relative to `root`.
 */
export function manifestLayout(root: string, file: string, name: CorpusName = 'csv'): Layout {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(fs.readFileSync(file), {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (err) {
    throw new FileError(file, `not a readable CSV manifest: ${(err as Error).message}`);
  }
  const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
  const missing = MANIFEST_COLUMNS.filter((c) => rows.length > 0 && !columns.includes(c));
  if (missing.length > 0) throw new FileError(file, `manifest lacks column(s) ${missing.join(', ')}`);
  const base = path.dirname(file);
  return {
    name,
    entries: () => {
      const seen = new Set<string>();
      return rows.map((row, i): LayoutEntry => {
        const line = `manifest line ${i + 2}`;
        if (!row.path) return { id: `${path.basename(file)}:${i + 2}`, reason: `no path (${line})` };
        const id = path.relative(root, path.resolve(base, row.path)).split(path.sep).join('/');
        if (seen.has(id)) return { id, reason: `listed again (${line})` };
        seen.add(id);
        const label = normalizeLabel(row.label ?? '');
        if (!label) return { id, reason: `unknown label '${row.label}' (${line})` };
        if (!row.speaker) return { id, reason: `no speaker (${line})` };
        const split = row.split || undefined;
        return {
          id,
          file: { speaker: row.speaker, sex: parseSex(row.sex), label, ...(split ? { split } : {}) },
        };
      });
    },
  };
}
