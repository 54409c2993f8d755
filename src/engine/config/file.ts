import { readFile } from 'node:fs/promises';
import { FileError } from '../util/errors';
import { parseConfig, type ExperimentConfig } from './schema';

/** Reads and validates a config JSON file; problems name the file and the field. */
export async function loadConfigFile(file: string): Promise<ExperimentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FileError(
      file,
      `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FileError(file, `not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(json, file);
}
