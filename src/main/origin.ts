/** Which URLs are the workbench's own page: the one check behind navigation and IPC sender checks. */

/** True for the renderer's own pages (the built file, or the dev server in development). */
export function isAppUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url);
    const base = new URL(rendererUrl);
    if (base.protocol === 'file:') return u.protocol === 'file:' && u.pathname === base.pathname;
    return u.origin === base.origin;
  } catch {
    return false;
  }
}

/** An IPC call is trusted only from the main frame of our own page. */
export function isTrustedSender(
  frameUrl: string | undefined,
  isMainFrame: boolean,
  rendererUrl: string,
): boolean {
  return isMainFrame && frameUrl !== undefined && isAppUrl(frameUrl, rendererUrl);
}
