/**
 * The first screen (issue 18, item 1): the three steps of the workflow, with the starter corpus
 * one click away: the shared RAVDESS subset when it is beside the checkout, a synthetic corpus
 * otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { artifactsDir, launchChromium, startServe, type Served } from './support';

let served: Served | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  await served?.stop();
});

async function open(s: Served) {
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(s.url);
  await page.waitForSelector('[data-test="getting-started"]');
  return { page, problems };
}

describe('first screen', () => {
  it('shows the three steps and adds the shared RAVDESS subset in one click', async () => {
    served = await startServe();
    const { page, problems } = await open(served);
    const steps = page.locator('[data-test="getting-started"] li');
    expect(await steps.count()).toBe(3);
    expect(await steps.allTextContents()).toEqual([
      expect.stringContaining('Add a corpus'),
      expect.stringContaining('Design an experiment'),
      expect.stringContaining('Run'),
    ]);
    expect(await page.getAttribute('[data-step="1"]', 'class')).toContain('now');
    expect(await page.textContent('[data-test="add-starter"]')).toContain('RAVDESS subset');
    await page.screenshot({ path: path.join(artifactsDir, '00-first-screen.png') });
    await page.click('[data-test="add-starter"]');
    await page.waitForSelector('[data-test="dataset-summary"]', { timeout: 120_000 });
    expect(await page.textContent('[data-test="dataset-files"]')).toBe('64');
    expect(await page.textContent('[data-test="dataset-summary"] h3')).toBe(
      fs.realpathSync(path.join(sharedDir(), 'data', 'ravdess')),
    );
    expect(await page.getAttribute('[data-step="2"]', 'class')).toContain('now');
    await page.click('[data-test="goto-experiment"]');
    await page.waitForSelector('[data-view="experiment"] [data-test="cfg-data-dir"]');
    expect(problems).toEqual([]);
  });

  it('offers and writes a synthetic corpus when no shared corpus is present', async () => {
    const noShared = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-noshared-'));
    try {
      served = await startServe([], { SER_SHARED: noShared });
      const { page, problems } = await open(served);
      expect(await page.textContent('[data-test="add-starter"]')).toContain('synthetic corpus');
      await page.click('[data-test="add-starter"]');
      await page.waitForSelector('[data-test="dataset-summary"]', { timeout: 180_000 });
      expect(await page.textContent('[data-test="dataset-speakers"]')).toBe('4');
      expect(await page.textContent('[data-test="dataset-files"]')).toBe('96');
      expect(await page.textContent('[data-test="dataset-summary"] h3')).toBe(
        path.join(served.home, 'corpora', 'synthetic-starter'),
      );
      expect(problems).toEqual([]);
    } finally {
      fs.rmSync(noShared, { recursive: true, force: true });
    }
  });
});
