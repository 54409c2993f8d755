/**
 * The experiment config as the engine uses it: the schema and its types live in
 * src/shared/config-schema.ts (the renderer, the contract and the worker messages share them);
 * this module adds what only the Node side does with a config, throwing a UserError that names
 * every bad field. Re-exported here so the engine's imports of the schema need not change.
 */
import { checkConfig, type ExperimentConfig, type ExperimentConfigInput } from '@shared/config-schema';
import { formatProblems, type ConfigProblem } from '@shared/config-problems';
import { UserError } from '../util/errors';

export * from '@shared/config-schema';

/** A config that failed validation; `problems` name each entry (the GUI shows them inline). */
export class ConfigError extends UserError {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${source} is not a valid experiment config:\n  ${formatProblems(problems).join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates and fills defaults; throws a ConfigError naming every bad field. */
export function parseConfig(input: unknown, source = 'config'): ExperimentConfig {
  const checked = checkConfig(input);
  if (!checked.ok) throw new ConfigError(source, checked.problems);
  return checked.config;
}

/** The paper's protocol with every default filled in. */
export function defaultConfig(overrides: ExperimentConfigInput = {}): ExperimentConfig {
  return parseConfig(overrides);
}
