/** Config problems as the user reads them: moved to src/shared with the schema; re-exported. */
export * from '@shared/config-problems';
