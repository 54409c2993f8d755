/**
 * The window's security settings in one place: what it may load, navigate to, open and ask for.
 * The renderer is local code only; everything else is refused.
 */
import { app, session, type WebContents } from 'electron';
import { contentSecurityPolicy } from '../app/csp';
import { wire } from '@shared/api';
import { isAppUrl } from './origin';

export function hardenSession(): void {
  const csp = contentSecurityPolicy({ media: [`${wire.mediaScheme}:`] });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // No camera, microphone, notifications, geolocation… the workbench needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // Nothing remote: only local files, the media scheme, and the dev server when developing.
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const url = details.url;
    const local =
      url.startsWith('file:') ||
      url.startsWith(`${wire.mediaScheme}:`) ||
      url.startsWith('devtools:') ||
      url.startsWith('data:') ||
      url.startsWith('blob:') ||
      (devUrl !== undefined &&
        !app.isPackaged &&
        (url.startsWith(devUrl) || url.startsWith(devUrl.replace(/^http/, 'ws'))));
    callback({ cancel: !local });
  });
}

/** No navigation away from the app, no new windows, no webviews. */
export function lockDown(contents: WebContents, rendererUrl: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
