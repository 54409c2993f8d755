/**
 * The baseline model's grid in the form: `features` and `classifier` each one value or a list
 * (the config schema's rule). One value stays a plain string so simple configs read as before;
 * several go to `features` / `classifiers` as lists.
 */
import { PAPER_DEFAULTS } from '@shared/paper-defaults';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type BaselineJson = Record<string, any>;

export type GridField = 'features' | 'classifiers';

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);

/** The chosen feature sets or classifiers (default classifier as the schema's). */
export function gridList(model: BaselineJson, field: GridField): string[] {
  if (field === 'features') return asList(model.features);
  return asList(model.classifiers ?? model.classifier ?? PAPER_DEFAULTS.baseline.classifier);
}

/** Turns one choice on or off, keeping the `choices` order (the table's row order). */
export function toggleGrid(
  model: BaselineJson,
  field: GridField,
  value: string,
  on: boolean,
  choices: string[],
): void {
  const current = new Set(gridList(model, field));
  if (on) current.add(value);
  else current.delete(value);
  const list = choices.filter((c) => current.has(c));
  if (field === 'features') {
    model.features = list.length === 1 ? list[0] : list;
    return;
  }
  delete model.classifier;
  delete model.classifiers;
  if (list.length === 1) model.classifier = list[0];
  else model.classifiers = list;
}
