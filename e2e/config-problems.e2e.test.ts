/**
 * The form shows the engine's config messages inline (served mode, Chromium): a JSON config with
 * a misspelled key and a bad class loaded through "Load JSON…" lists each problem as the CLI
 * prints it, the Classes field names the wrong entry, and Run stays disabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { defaultConfig } from '../src/engine/config/schema';
import { launchChromium, startServe, type Served } from './support';

let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  served = await startServe();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('config problems in the Experiment view', () => {
  it('shows an unknown key with its suggestion and names a bad class entry', async () => {
    await page.goto(served.url);
    await page.click('[data-nav="experiment"]');
    await page.waitForSelector('[data-test="cfg-data-dir"]');
    // A saved config, edited by hand: a misspelled key and a class that is no emotion.
    const edited = structuredClone(defaultConfig()) as unknown as Record<string, Record<string, unknown>>;
    edited.training.epoch = 3;
    edited.data.classes = ['joy', 'sad'];
    const chooser = page.waitForEvent('filechooser');
    await page.click('text=Load JSON…');
    await (
      await chooser
    ).setFiles({
      name: 'typo.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(edited)),
    });
    await page.waitForSelector('[data-test="config-problems"] li');
    const lines = await page.locator('[data-test="config-problems"] li').allTextContents();
    expect(lines).toContain("training.epoch: unknown key; did you mean 'training.epochs'?");
    expect(lines.some((l) => l.startsWith("data.classes[0]: 'joy' is not an emotion (one of "))).toBe(true);
    const issues = await page.locator('[data-test="field-issue"]').allTextContents();
    expect(issues.some((t) => t.startsWith("data.classes[0]: 'joy' is not an emotion"))).toBe(true);
    expect(await page.isDisabled('[data-test="run-start"]')).toBe(true);
  });
});
