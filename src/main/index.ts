/**
 * Electron main: one sandboxed window, the contract over IPC through the shared handler table,
 * local media through a privileged scheme limited to the permitted folders, and training jobs
 * in a utility process.
 */
import { app, BrowserWindow, ipcMain, Menu, net, protocol } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { wire, type CallEnvelope } from '@shared/api';
import type { WorkbenchEvent } from '@shared/contract';
import { dispatch, toCallError, type CallFailure } from '../app/dispatch';
import { handlers } from '../app/handlers';
import { permitted, type WorkbenchContext } from '../app/context';
import { JobManager } from '../app/jobs';
import { SettingsStore } from '../app/settings';
import { hardenSession, lockDown } from './security';
import { isTrustedSender } from './origin';
import { nativeDialogs } from './dialogs';
import { utilityLauncher } from './jobs';
import { utilityTaskSpawner } from './tasks';
import { TaskPool } from '../app/tasks';
import { buildMenu } from './menu';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererUrl =
  process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(path.join(here, '../renderer/index.html')).href;

protocol.registerSchemesAsPrivileged([
  {
    scheme: wire.mediaScheme,
    privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
  },
]);

let mainWindow: BrowserWindow | null = null;

const emit = (event: WorkbenchEvent) => {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(wire.ipcEvent, event);
};
const context: WorkbenchContext = {
  shell: 'electron',
  settings: new SettingsStore(),
  jobs: new JobManager(utilityLauncher, emit),
  tasks: new TaskPool(utilityTaskSpawner),
  dialogs: nativeDialogs(() => mainWindow),
  emit,
};

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'SER Workbench',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  lockDown(mainWindow.webContents, rendererUrl);
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  void mainWindow.loadURL(rendererUrl);
}

function registerIpc(): void {
  ipcMain.handle(
    wire.ipcCall,
    async (event, method: unknown, request: unknown): Promise<CallEnvelope<unknown>> => {
      // Only our own page, in the main frame, may call the contract.
      const frame = event.senderFrame;
      if (!isTrustedSender(frame?.url, frame === event.sender.mainFrame, rendererUrl)) {
        return { error: { kind: 'forbidden', message: 'calls are accepted only from the workbench window' } };
      }
      if (typeof method !== 'string')
        return { error: { kind: 'invalid', message: 'method must be a string' } };
      try {
        return { result: await dispatch(handlers, method, request, context) };
      } catch (err) {
        return { error: (err as CallFailure).error ?? toCallError(err) };
      }
    },
  );
}

function registerMedia(): void {
  // ser-media://file/?path=/abs/file.wav → the file, if it lies in a permitted folder.
  protocol.handle(wire.mediaScheme, async (request) => {
    const target = new URL(request.url).searchParams.get('path') ?? '';
    try {
      const file = permitted(context, target);
      return net.fetch(pathToFileURL(file).href, { headers: request.headers });
    } catch (err) {
      return new Response((err as Error).message, { status: 403 });
    }
  });
}

app.on('web-contents-created', (_e, contents) => lockDown(contents, rendererUrl));

app.whenReady().then(() => {
  hardenSession();
  registerIpc();
  registerMedia();
  Menu.setApplicationMenu(buildMenu(() => mainWindow, emit));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', () => {
  context.jobs.shutdown();
  context.tasks.shutdown();
});
