export { runExperiment, type RunOptions, type RunResult, type PredictionRow } from './runner';
export {
  listRuns,
  readRun,
  defaultRunsDir,
  foldDir,
  loadModel,
  type RunListing,
  type RunRecord,
  type RunStatus,
  type RunState,
  type RunConfigFile,
} from './store';
