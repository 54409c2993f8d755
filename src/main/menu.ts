/** The application menu: the usual roles plus the workbench's own entries. */
import { app, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { WorkbenchEvent } from '@shared/contract';

export function buildMenu(window: () => BrowserWindow | null, emit: (event: WorkbenchEvent) => void): Menu {
  type Nav = Extract<WorkbenchEvent, { type: 'ui.navigate' }>;
  const go =
    (view: Nav['view'], action: Nav['action'] = null) =>
    () =>
      emit({ type: 'ui.navigate', view, action });
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Add Corpus Folder…', accelerator: 'CmdOrCtrl+O', click: go('datasets', 'add-dataset') },
        {
          label: 'Open Experiment Config…',
          accelerator: 'CmdOrCtrl+Shift+O',
          click: go('experiment', 'load-config'),
        },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Datasets', accelerator: 'CmdOrCtrl+1', click: go('datasets') },
        { label: 'Experiment', accelerator: 'CmdOrCtrl+2', click: go('experiment') },
        { label: 'Runs', accelerator: 'CmdOrCtrl+3', click: go('runs') },
        { label: 'Results', accelerator: 'CmdOrCtrl+4', click: go('results') },
        { label: 'Settings', accelerator: 'CmdOrCtrl+,', click: go('settings') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }, { role: 'reload' as const }]),
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'About SER Workbench',
          click: () => {
            app.showAboutPanel();
            window()?.focus();
          },
        },
        {
          label: 'Open data folder',
          click: () => void shell.openPath(app.getPath('userData')),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
