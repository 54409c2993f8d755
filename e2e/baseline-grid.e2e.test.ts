/**
 * A baseline grid in the served UI (Chromium), on the real RAVDESS subset: two feature sets × two
 * classifiers chosen in the form, one run, one results table with a row block per cell, the
 * confusion matrix picked per cell, and each cell next to its paper row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { artifactsDir, launchChromium, startServe, type Served } from './support';

// Real path: the server resolves symlinks before it shows or checks a folder.
const ravdess = fs.realpathSync(path.join(sharedDir(), 'data', 'ravdess'));
let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('baseline grid (served mode, Chromium)', () => {
  it('designs MFCC+DL, GTCC+DL × RF, SVM and runs it (cells in the form’s order)', async () => {
    await page.goto(served.url);
    await page.click('[data-nav="experiment"]');
    await page.waitForSelector('[data-test="cfg-data-dir"]');
    await page.fill('[data-test="cfg-data-dir"]', ravdess);
    await page.fill('[data-test="cfg-name"]', 'e2e-grid');
    await page.selectOption('[data-test="cfg-model-kind"]', 'baseline');
    await page.check('[data-test="cfg-feature-gtcc+dl"]');
    await page.check('[data-test="cfg-classifier-rf"]');
    expect(await page.isChecked('[data-test="cfg-feature-mfcc+dl"]')).toBe(true);
    expect(await page.isChecked('[data-test="cfg-classifier-svm"]')).toBe(true);
    expect(await page.textContent('[data-test="cfg-baseline-cells"]')).toContain('4 cells');
    // No classifier at all is refused by the schema, naming the field.
    await page.uncheck('[data-test="cfg-classifier-rf"]');
    await page.uncheck('[data-test="cfg-classifier-svm"]');
    await page.waitForSelector('[data-test="cfg-baseline-classifiers"] [data-test="field-issue"]');
    await page.check('[data-test="cfg-classifier-rf"]');
    await page.check('[data-test="cfg-classifier-svm"]');
    await page.waitForSelector('[data-test="field-issue"]', { state: 'detached' });
    await page.screenshot({ path: path.join(artifactsDir, 'grid-01-experiment.png'), fullPage: true });
    await page.click('[data-test="run-start"]');
    // A baseline run, too, shows its measured estimate before it starts.
    const confirm = page.locator('[data-test="run-confirm-card"]');
    await confirm.locator('[data-test="run-estimate"]:not(.stale)').waitFor({ timeout: 180_000 });
    await confirm.locator('[data-test="run-confirm"]').click();
    await page.waitForSelector('[data-view="runs"] [data-test="runs-table"]');
    const row = page.locator('[data-test="runs-table"] tbody tr').first();
    await expect
      .poll(async () => row.locator('[data-test="run-state"]').textContent(), {
        timeout: 300_000,
        interval: 2000,
      })
      .toBe('done');
    await row.locator('[data-test="run-results"]').click();
  });

  it('shows one table with a block per cell, the confusion matrix per cell and the paper rows', async () => {
    await page.waitForSelector('[data-view="results"] [data-test="results-table"]', { timeout: 60_000 });
    const rows = page.locator('[data-test="results-table"] tbody tr');
    expect(await rows.count()).toBe(12);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-cell')));
    expect([...new Set(cells)]).toEqual(['mfcc+dl__rf', 'mfcc+dl__svm', 'gtcc+dl__rf', 'gtcc+dl__svm']);
    const labels = await page
      .locator('[data-test="results-table"] tbody tr td:first-child')
      .allTextContents();
    expect(labels.slice(0, 3).map((l) => l.trim())).toEqual([
      'mfcc+dl + rf — pooled',
      'mfcc+dl + rf — mean',
      '± sd',
    ]);
    expect(labels.filter((l) => l.startsWith('fold'))).toHaveLength(0);

    const picker = page.locator('[data-test="confusion-cell"]');
    expect(await picker.locator('option').allTextContents()).toEqual([
      expect.stringContaining('mfcc+dl + rf'),
      expect.stringContaining('mfcc+dl + svm'),
      expect.stringContaining('gtcc+dl + rf'),
      expect.stringContaining('gtcc+dl + svm'),
    ]);
    await page.waitForSelector('[data-test$="-confusion"] .main-svg .heatmaplayer');
    await picker.selectOption('gtcc+dl__rf');
    await page.selectOption('[data-test="confusion-fold"]', '1');
    await page.waitForSelector('[data-test$="-confusion"] .main-svg .heatmaplayer');

    const paper = page.locator('[data-test="paper-comparison"]');
    await paper.waitFor();
    const paperRows = await paper.locator('tbody tr td:first-child').allTextContents();
    expect(paperRows.filter((l) => l.startsWith('paper:'))).toEqual([
      'paper: MFCC+DL RF',
      'paper: MFCC+DL SVM',
      'paper: GTCC+DL RF',
      'paper: GTCC+DL SVM',
    ]);
    // Baselines have no LSTM activations: no t-SNE card.
    expect(await page.locator('[data-test$="-tsne"]').count()).toBe(0);
    await page.screenshot({ path: path.join(artifactsDir, 'grid-02-results.png'), fullPage: true });
  });
});
