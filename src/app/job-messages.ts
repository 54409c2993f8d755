/** Between the run manager and the engine's worker: jobs out, progress in (no engine code loaded). */
import type { RunProgress } from '@shared/contract';
import type { RunJob } from '@shared/worker-messages';
import type { JobMessage, RunJobSpec } from './jobs';

/** The worker's job for a spec: a new run in an exact folder, or the resumption of one. */
export function workerJob(spec: RunJobSpec): RunJob {
  return spec.resume ? { resumeDir: spec.runDir } : { config: spec.config ?? undefined, runDir: spec.runDir };
}

/** Engine progress events as job messages (log lines also as their own message). */
export function eventMessages(event: RunProgress): JobMessage[] {
  const out: JobMessage[] = [{ type: 'event', event }];
  if (event.type === 'log' && event.message)
    out.push({ type: 'log', line: event.message, level: event.level ?? 'info' });
  return out;
}
