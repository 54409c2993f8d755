/**
 * The experiment form (issue 18, item 2) in Chromium: every control that changes the model kind,
 * the scheme or the preset works without a page error (Pinia's proxies are never structuredCloned),
 * the fold preview follows corpus, classes and scheme by itself, fields show only where they
 * apply, and a run start always shows its estimate first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import {
  artifactsDir,
  launchChromium,
  openPage,
  startServe,
  waitForFoldMatrix,
  type Served,
} from './support';

const ravdess = fs.realpathSync(path.join(sharedDir(), 'data', 'ravdess'));
const emodb = fs.realpathSync(path.join(sharedDir(), 'data', 'emodb'));
let served: Served;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  served = await startServe();
  browser = await launchChromium();
  page = await openPage(browser, problems);
  await page.goto(served.url);
  await page.click('[data-nav="experiment"]');
  await page.waitForSelector('[data-test="cfg-data-dir"]');
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

const speakersShown = () =>
  page
    .locator('[data-test="fold-matrix"] tbody td:first-child')
    .evaluateAll((tds) => tds.map((td) => td.textContent!.trim().split(/\s+/)[0]));

describe('experiment form', () => {
  it('previews the folds by itself and follows the corpus, the scheme and the classes', async () => {
    await page.fill('[data-test="cfg-data-dir"]', ravdess);
    // No click on Preview: the matrix follows the form.
    await page.waitForSelector('[data-test="fold-matrix"]', { timeout: 60_000 });
    expect(await speakersShown()).toEqual(['01', '02', '03', '04']);
    expect(await page.textContent('[data-test="folds-count"]')).toContain('4 folds (loso)');

    await page.fill('[data-test="cfg-data-dir"]', emodb);
    // EMO-DB's speakers (03, 08, …), and never RAVDESS's left over from before.
    await expect.poll(async () => (await speakersShown()).join(' '), { timeout: 60_000 }).toMatch(/^03 08\b/);
    // Back to RAVDESS: never a matrix of the other corpus in between once it settles.
    await page.fill('[data-test="cfg-data-dir"]', ravdess);
    await expect.poll(speakersShown, { timeout: 60_000 }).toEqual(['01', '02', '03', '04']);

    await page.selectOption('[data-test="cfg-scheme"]', 'kfold');
    await page.fill('[data-test="cfg-k"]', '2');
    await expect
      .poll(() => page.textContent('[data-test="folds-count"]'), { timeout: 60_000 })
      .toContain('2 folds (kfold)');
    await page.selectOption('[data-test="cfg-scheme"]', 'loso');
    expect(await page.locator('[data-test="cfg-k"]').count()).toBe(0);
    await expect
      .poll(() => page.textContent('[data-test="folds-count"]'), { timeout: 60_000 })
      .toContain('4 folds (loso)');

    const classColumns = () => page.locator('[data-test="fold-matrix"] thead th').count();
    const before = await classColumns();
    await page.uncheck('[data-test="cfg-class-sad"]');
    await expect.poll(classColumns, { timeout: 60_000 }).toBe(before - 1);
    await page.check('[data-test="cfg-class-sad"]');
    await expect.poll(classColumns, { timeout: 60_000 }).toBe(before);
  });

  it('previews the new folds once another field stops being invalid (a sweep typed field first, say)', async () => {
    // Epochs 0 is refused; while it stands, the scheme changes: no preview can be asked for yet.
    await page.fill('[data-test="cfg-epochs"]', '0');
    await page.waitForSelector('[data-test="config-invalid"]');
    await page.selectOption('[data-test="cfg-scheme"]', 'kfold');
    await page.fill('[data-test="cfg-k"]', '2');
    // Well past the form's debounce: the stale LOSO matrix is gone and nothing replaced it.
    await page.waitForTimeout(1500);
    expect(await page.locator('[data-test="fold-matrix"]').count()).toBe(0);
    // The epochs field made valid again: the folds of the scheme now shown come by themselves.
    await page.fill('[data-test="cfg-epochs"]', '1');
    await waitForFoldMatrix(page);
    expect(await page.textContent('[data-test="folds-count"]')).toContain('2 folds (kfold)');
    await page.selectOption('[data-test="cfg-scheme"]', 'loso');
    await expect
      .poll(() => page.textContent('[data-test="folds-count"]'), { timeout: 60_000 })
      .toContain('4 folds (loso)');
  });

  it('switches the model to baseline and back without an error, showing only fields that apply', async () => {
    await page.fill('[data-test="cfg-epochs"]', '3');
    await page.selectOption('[data-test="cfg-model-kind"]', 'baseline');
    await page.waitForSelector('[data-test="cfg-baseline-features"]');
    // SVM, RF and MLP baselines take no learning rate, epochs or batch size from the form.
    expect(await page.locator('[data-test="training-card"]').count()).toBe(0);
    expect(await page.locator('[data-test="cfg-epochs"]').count()).toBe(0);
    expect(await page.locator('[data-test="cfg-train-from"]').count()).toBe(0);

    await page.selectOption('[data-test="cfg-model-kind"]', 'yamnet-lstm');
    await page.waitForSelector('[data-test="cfg-train-from"]');
    expect(await page.inputValue('[data-test="cfg-model-kind"]')).toBe('yamnet-lstm');
    expect(await page.inputValue('[data-test="cfg-train-from"]')).toBe('full');
    // The training fields kept what was typed before the switch.
    expect(await page.inputValue('[data-test="cfg-epochs"]')).toBe('3');
    await page.selectOption('[data-test="cfg-train-from"]', 'frozen');
    expect(await page.textContent('[data-test="chosen-block"]')).toBe('frozen');
    expect(problems).toEqual([]);
  });

  it('restores the paper defaults without an error and keeps the corpus', async () => {
    await page.fill('[data-test="cfg-batch"]', '7');
    await page.selectOption('[data-test="cfg-scheme"]', 'kfold');
    await page.click('[data-test="config-reset"]');
    expect(await page.inputValue('[data-test="cfg-batch"]')).toBe('24');
    expect(await page.inputValue('[data-test="cfg-epochs"]')).toBe('50');
    expect(await page.inputValue('[data-test="cfg-scheme"]')).toBe('loso');
    expect(await page.inputValue('[data-test="cfg-data-dir"]')).toBe(ravdess);
    expect(await page.inputValue('[data-test="cfg-train-from"]')).toBe('full');
    // Twice in a row, and after a baseline detour, too.
    await page.selectOption('[data-test="cfg-model-kind"]', 'baseline');
    await page.click('[data-test="config-reset"]');
    expect(await page.inputValue('[data-test="cfg-model-kind"]')).toBe('yamnet-lstm');
    expect(problems).toEqual([]);
  });

  it('shows a baseline run its measured estimate before it starts', async () => {
    await page.selectOption('[data-test="cfg-model-kind"]', 'baseline');
    await page.waitForSelector('[data-test="field-issue"]', { state: 'detached' });
    await page.click('[data-test="run-start"]');
    const confirm = page.locator('[data-test="run-confirm-card"]');
    await confirm.locator('[data-test="run-estimate"]:not(.stale)').waitFor({ timeout: 180_000 });
    expect(
      Number(await confirm.locator('[data-test="est-total"]').getAttribute('data-value')),
    ).toBeGreaterThan(0);
    expect(await confirm.locator('[data-test="est-fits"]').textContent()).toContain('4 folds × 1 = 4');
    await page.screenshot({ path: path.join(artifactsDir, 'form-baseline-estimate.png'), fullPage: true });
    await confirm.locator('[data-test="run-confirm-cancel"]').click();
    expect(problems).toEqual([]);
  });
});
