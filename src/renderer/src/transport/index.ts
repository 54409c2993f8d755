/** The one API object the renderer uses: Electron's preload bridge, or the HTTP client. */
import { apiFromBridge, type BridgeApi, type WorkbenchApi } from '@shared/api';
import { createHttpApi, takeToken } from './http';

declare global {
  interface Window {
    serWorkbench?: BridgeApi;
  }
}

let api: WorkbenchApi | null = null;

export function getApi(): WorkbenchApi {
  if (api) return api;
  if (window.serWorkbench) {
    api = apiFromBridge(window.serWorkbench);
    return api;
  }
  const token = takeToken();
  if (!token) throw new Error('no token: open the URL that `ser-workbench serve` printed');
  api = createHttpApi(token);
  return api;
}
