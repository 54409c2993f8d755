import { describe, expect, it } from 'vitest';
import { isAppUrl, isTrustedSender } from './origin';

describe('isAppUrl', () => {
  const built = 'file:///opt/app/out/renderer/index.html';
  it('accepts only the built page itself for file URLs', () => {
    expect(isAppUrl('file:///opt/app/out/renderer/index.html', built)).toBe(true);
    expect(isAppUrl('file:///opt/app/out/renderer/index.html#/runs', built)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', built)).toBe(false);
    expect(isAppUrl('https://example.com/', built)).toBe(false);
    expect(isAppUrl('not a url', built)).toBe(false);
  });

  it('accepts the dev server origin only', () => {
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://evil.localhost:5173/', dev)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const built = 'file:///opt/app/out/renderer/index.html';
  it('trusts the main frame of our page and nothing else', () => {
    expect(isTrustedSender(built, true, built)).toBe(true);
    expect(isTrustedSender(built, false, built)).toBe(false);
    expect(isTrustedSender('https://example.com/', true, built)).toBe(false);
    expect(isTrustedSender(undefined, true, built)).toBe(false);
  });
});
