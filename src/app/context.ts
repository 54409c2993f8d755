import type { WorkbenchEvent } from '@shared/contract';
import type { SettingsStore } from './settings';
import type { JobManager } from './jobs';
import type { TaskPool } from './tasks';
import { permittedPath } from './access';

/** Native dialogs: only the Electron shell provides them. */
export interface Dialogs {
  pickFolder(title?: string): Promise<string | null>;
  saveFile(suggestedName: string, data: Uint8Array): Promise<string | null>;
  openFile(extensions: string[]): Promise<{ path: string; content: string } | null>;
}

/** Everything a handler may use; built once per shell (Electron main or the server). */
export interface WorkbenchContext {
  shell: 'electron' | 'browser';
  settings: SettingsStore;
  jobs: JobManager;
  /** Heavy request handlers (index, audio view, estimate, t-SNE) run in task workers. */
  tasks: TaskPool;
  dialogs: Dialogs | null;
  emit(event: WorkbenchEvent): void;
}

/** Folders the UI may read: the configured data folders and the runs folder. */
export function permittedRoots(ctx: WorkbenchContext): string[] {
  const s = ctx.settings.get();
  return [...s.dataDirs, s.runsDir];
}

/** `target` resolved, or an AccessError when it lies outside every permitted folder. */
export function permitted(ctx: WorkbenchContext, target: string): string {
  return permittedPath(permittedRoots(ctx), target);
}
