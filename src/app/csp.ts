/**
 * The renderer's Content Security Policy, the same in Electron (header + meta tag) and in the
 * browser. Plotly injects its own <style> elements, hence 'unsafe-inline' for styles only.
 */
export function contentSecurityPolicy(opts: { connect?: string[]; media?: string[] } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `media-src 'self' blob: ${(opts.media ?? []).join(' ')}`.trim(),
    `connect-src 'self' ${(opts.connect ?? []).join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
