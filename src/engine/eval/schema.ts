import type { RunSummary } from './types';
import { runSummarySchema, upgradeRunSummary } from '@shared/run-results';

/**
 * Validates summary.json when it is read back (reports, the UI). The schema is the shared one
 * (src/shared/run-results.ts), whose inferred type RunSummary is.
 */
export { metricsSchema, runSummarySchema, upgradeRunSummary } from '@shared/run-results';

/** Parses an unknown value as a RunSummary; throws zod's error listing every bad field. */
export function parseRunSummary(value: unknown): RunSummary {
  return runSummarySchema.parse(upgradeRunSummary(value));
}
