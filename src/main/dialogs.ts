/** Native dialogs for the handler table (only the desktop shell has them). */
import fs from 'node:fs/promises';
import path from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import type { Dialogs } from '../app/context';

export function nativeDialogs(window: () => BrowserWindow | null): Dialogs {
  return {
    async pickFolder(title) {
      const win = window();
      const opts = { title: title ?? 'Choose a folder', properties: ['openDirectory' as const] };
      const res = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return res.canceled || !res.filePaths[0] ? null : res.filePaths[0];
    },
    async saveFile(suggestedName, data) {
      const win = window();
      const ext = path.extname(suggestedName).slice(1);
      const opts = {
        defaultPath: suggestedName,
        filters: ext ? [{ name: ext.toUpperCase(), extensions: [ext] }] : [],
      };
      const res = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (res.canceled || !res.filePath) return null;
      await fs.writeFile(res.filePath, data);
      return res.filePath;
    },
    async openFile(extensions) {
      const win = window();
      const opts = { properties: ['openFile' as const], filters: [{ name: 'Files', extensions }] };
      const res = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      const file = res.filePaths[0];
      if (res.canceled || !file) return null;
      return { path: file, content: await fs.readFile(file, 'utf8') };
    },
  };
}
