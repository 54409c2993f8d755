/**
 * The AudioSet class map `yamnet_class_map.csv` (`index,mid,display_name`, 521 rows). The
 * published file has CRLF line endings and quotes names that contain commas
 * (`"Child speech, kid speaking"`); an LF-only copy also circulates. Both parse the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../util/errors';
import { NUM_CLASSES } from './layers';

export const CLASS_MAP_FILE = 'yamnet_class_map.csv';

export interface YamnetClass {
  index: number;
  mid: string;
  name: string;
}

/** One CSV record into fields (RFC 4180 quoting: "" inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

export function parseClassMap(text: string, where = CLASS_MAP_FILE): YamnetClass[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  if (header[0] !== 'index' || header[2] !== 'display_name')
    throw new FileError(where, `expected the header 'index,mid,display_name', found '${lines[0] ?? ''}'`);
  const classes = lines.slice(1).map((line, i) => {
    const [index, mid, name] = splitCsvLine(line);
    if (Number(index) !== i || name === undefined)
      throw new FileError(where, `line ${i + 2} is not row ${i}: '${line}'`);
    return { index: i, mid, name };
  });
  if (classes.length !== NUM_CLASSES)
    throw new FileError(where, `has ${classes.length} classes, expected ${NUM_CLASSES}`);
  return classes;
}

export function readClassMap(file: string): YamnetClass[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new FileError(file, `cannot read: ${(err as NodeJS.ErrnoException).code}`);
  }
  return parseClassMap(text, file);
}

/** The class map beside the weights: DIR/yamnet_class_map.csv, else DIR/../yamnet_class_map.csv. */
export function findClassMap(weightsDir: string): string | null {
  for (const candidate of [
    path.join(weightsDir, CLASS_MAP_FILE),
    path.join(weightsDir, '..', CLASS_MAP_FILE),
  ])
    if (fs.existsSync(candidate)) return path.resolve(candidate);
  return null;
}
