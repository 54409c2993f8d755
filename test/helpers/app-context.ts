/**
 * The application layer in process for tests: a served-mode context (no Electron dialogs) on a
 * private temp folder with a real task pool, and calls through the real dispatch and handler
 * table. `appContextTest` registers the vitest hooks that build the context and, after the file's
 * tests, stop the task workers and remove the folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { methods, type Method, type Res } from '../../src/shared/contract';
import { sharedDir } from '../../src/engine/util/paths';
import { CallFailure, dispatch } from '../../src/app/dispatch';
import { handlers } from '../../src/app/handlers';
import { SettingsStore } from '../../src/app/settings';
import type { WorkbenchContext } from '../../src/app/context';
import { TaskPool, forkTaskSpawner } from '../../src/app/tasks';

export interface AppContextTest {
  /** The test's own folder (removed after the file's tests); the data home is TMP/home. */
  readonly tmp: string;
  readonly runsDir: string;
  /** Set once the file's beforeAll has run. */
  readonly ctx: WorkbenchContext;
  /** A call that must succeed, its result parsed by the contract's response schema. */
  call<M extends Method>(method: M, req: unknown): Promise<Res<M>>;
  /** A call that must fail: its error as the face would show it (null if it succeeded). */
  failure(method: Method, req: unknown): Promise<CallFailure['error'] | null>;
}

export interface AppContextOptions {
  /** The data folders the session may read (default: the shared corpora folder). */
  dataDirs?: (tmp: string) => string[];
  /** Files the test needs before the context is built (corpora). */
  prepare?: (tmp: string) => unknown;
  /** The job pool; by default none (a test that starts a job passes one). */
  jobs?: WorkbenchContext['jobs'];
}

export function appContextTest(name: string, options: AppContextOptions = {}): AppContextTest {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `serwb-${name}-`));
  const runsDir = path.join(tmp, 'runs');
  let ctx: WorkbenchContext | undefined;

  beforeAll(async () => {
    process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
    await options.prepare?.(tmp);
    ctx = {
      shell: 'browser',
      settings: new SettingsStore({
        sessionDataDirs: options.dataDirs?.(tmp) ?? [path.join(sharedDir(), 'data')],
        runsDir,
      }),
      jobs: options.jobs ?? (null as never),
      tasks: new TaskPool(forkTaskSpawner),
      dialogs: null,
      emit: () => undefined,
    };
  });
  afterAll(() => {
    ctx?.tasks.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const context = (): WorkbenchContext => {
    if (!ctx) throw new Error('the app context is not built yet (call appContextTest at module level)');
    return ctx;
  };
  return {
    tmp,
    runsDir,
    get ctx() {
      return context();
    },
    async call<M extends Method>(method: M, req: unknown): Promise<Res<M>> {
      return methods[method].response.parse(await dispatch(handlers, method, req, context())) as Res<M>;
    },
    failure: (method, req) =>
      dispatch(handlers, method, req, context()).then(
        () => null,
        (e: CallFailure) => e.error,
      ),
  };
}
