/**
 * A cross-corpus run RAVDESS → EMO-DB (trained by the CLI, frozen mode, few epochs) opened in the
 * Results view (Chromium, served mode): its matrix shows the UAR of summary.json with rows trained
 * on and columns tested on, and the class mapping lists both corpora.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import type { CrossCorpusResult } from '../src/shared/cross-corpus';
import { artifactsDir, launchChromium, startServe, trainByCli, type Served } from './support';

const ravdess = fs.realpathSync(path.join(sharedDir(), 'data', 'ravdess'));
const emodb = fs.realpathSync(path.join(sharedDir(), 'data', 'emodb'));
let served: Served;
let browser: Browser;
let page: Page;
let runDir: string;

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  runDir = await trainByCli(
    served,
    'cross',
    {
      name: 'e2e-cross-corpus',
      model: { kind: 'yamnet-lstm', lstmUnits: [32], yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 2, batchSize: 32 },
      crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: emodb } },
      backend: 'tensorflow',
    },
    ravdess,
  );
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('cross-corpus matrix in the Results view (served mode, Chromium)', () => {
  it('shows the UAR of summary.json, rows trained on, columns tested on, and the class mapping', async () => {
    const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as {
      crossCorpus: CrossCorpusResult;
    };
    const [cell] = summary.crossCorpus.cells;
    expect([cell.train, cell.test]).toEqual([['ravdess'], 'emodb']);

    await page.goto(served.url);
    await page.click('[data-nav="results"]');
    const option = page.locator(`[data-run-option="${path.basename(runDir)}"]`);
    await option.waitFor({ timeout: 60_000 });
    // The run list names both corpora, trained on → tested on.
    expect(await option.textContent()).toContain('ravdess\u2192emodb');
    await option.click();
    await page.click('[data-test="results-open"]');
    await page.waitForSelector('[data-test="cross-corpus-matrix"]', { timeout: 60_000 });
    const header = await page.locator('[data-test="cross-corpus-matrix"] thead th').allTextContents();
    expect(header.map((h) => h.trim())).toEqual(['trained on \\ tested on', 'emodb']);
    // In the view's one unit (percent unless Settings says fractions).
    const shown = await page.textContent(
      '[data-test="cross-corpus-matrix"] tr[data-row="ravdess"] td[data-column="emodb"]',
    );
    expect(shown?.trim()).toBe((cell.uar! * 100).toFixed(1));
    const mapping = await page
      .locator('[data-test="cross-corpus-mapping"] tbody tr td:first-child')
      .allTextContents();
    expect(mapping).toEqual(['ravdess', 'emodb']);
    await page.screenshot({ path: path.join(artifactsDir, 'cross-corpus-matrix.png'), fullPage: true });
  });

  it('the experiment form offers the scheme, names a missing test corpus and previews the cross-corpus fold', async () => {
    await page.click('[data-nav="experiment"]');
    await page.waitForSelector('[data-test="cfg-data-dir"]');
    await page.fill('[data-test="cfg-data-dir"]', ravdess);
    await page.selectOption('[data-test="cfg-scheme"]', 'cross-corpus');
    await page.waitForSelector('[data-test="cfg-test-corpus"]');
    await expect
      .poll(() => page.locator('[data-test="field-issue"]').allTextContents(), { timeout: 30_000 })
      .toContain('crossValidation.testCorpus.dir: must name the corpus folder');
    await page.fill('[data-test="cfg-test-corpus"]', emodb);
    await expect
      .poll(() => page.textContent('[data-test="folds-count"]'), { timeout: 60_000 })
      .toMatch(/1 folds \(cross-corpus\),\s+14 speakers/);
    expect(await page.locator('[data-test="field-issue"]').count()).toBe(0);
    // Back to LOSO: the test corpus field and its config entry go.
    await page.selectOption('[data-test="cfg-scheme"]', 'loso');
    expect(await page.locator('[data-test="cfg-test-corpus"]').count()).toBe(0);
    await expect
      .poll(() => page.textContent('[data-test="folds-count"]'), { timeout: 60_000 })
      .toContain('4 folds (loso)');
  });
});
