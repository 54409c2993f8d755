/**
 * Sweeps in Chromium (issue 13, item 4): the Experiment view's job estimate follows a swept
 * `training.epochs` (each cell estimated from its own config on the server: a per-job range, and
 * a total above the base config times the cells), and the Runs view deletes a whole sweep to the
 * trash and restores it, cells and all (and a single run as before).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { createSweep, expandSweep } from '../src/engine/runs/sweep';
import { artifactsDir, launchChromium, startServe, type Served } from './support';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const fixture = path.join(__dirname, '..', 'test', 'fixtures', 'old-run-a96f025');
let served: Served;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

async function api(method: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${served.base}/api/${method}`, {
    method: 'POST',
    headers: { 'x-ser-workbench-token': served.token },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { result?: Record<string, unknown>; error?: { message: string } };
  if (!json.result) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
  return json.result;
}

describe('sweeps in the GUI', () => {
  it('estimates each epochs cell from its own epochs', async () => {
    await page.goto(served.url);
    await page.click('[data-nav="experiment"]');
    await page.fill('[data-test="cfg-name"]', 'epochs-sweep');
    await page.fill('[data-test="cfg-data-dir"]', ravdess);
    await page.selectOption('[data-test="cfg-train-from"]', 'frozen');
    await page.fill('[data-test="cfg-epochs"]', '2');
    await page.click('[data-test="sweep-add"]');
    await page.fill('[data-test="sweep-field-0"]', 'training.epochs');
    await page.fill('[data-test="sweep-values-0"]', '2, 8');
    await page.locator('[data-test="sweep-values-0"]').blur();
    expect(await page.textContent('[data-test="sweep-cells"]')).toContain('2 cells');
    await expect
      .poll(() => page.locator('[data-test="config-invalid"]').count(), { timeout: 30_000 })
      .toBe(0);
    await page.click('[data-test="run-start"]');
    const card = page.locator('[data-test="run-confirm-card"]');
    await card.locator('[data-test="est-per-cell"]').waitFor({ timeout: 300_000 });
    const folds = 4; // LOSO over the subset's four speakers
    expect(await card.locator('[data-test="est-jobs"]').textContent()).toBe(String(2 * folds));
    // Two costs per job (2 and 8 epochs): shown as a range.
    expect(await card.locator('[data-test="est-per-job"]').textContent()).toMatch(/ – /);
    // The dearest job (8 epochs) sizes the figure, and the 8-epoch cell's four jobs are in the total.
    const dearest = Number(await card.locator('[data-test="est-per-job"]').getAttribute('data-value'));
    const all = Number(await card.locator('[data-test="est-all-jobs"]').getAttribute('data-value'));
    expect(dearest).toBeGreaterThan(0);
    expect(all).toBeGreaterThan(folds * dearest);
    await page.screenshot({ path: path.join(artifactsDir, 'sweep-estimate-per-cell.png'), fullPage: true });
    await page.click('[data-test="run-confirm-cancel"]');
  });

  it('deletes a whole sweep to the trash and restores it with its cells', async () => {
    const { runsDir } = (await api('settings.get', {})) as { runsDir: string };
    const base = { name: 'trash-me', model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } } };
    const { sweepDir, file } = createSweep(
      runsDir,
      'trash-me',
      expandSweep(base, { grid: { seed: [1, 2] } }),
    );
    fs.cpSync(fixture, file.cells[0].runDir, { recursive: true });
    const id = path.basename(sweepDir);
    await page.click('[data-nav="runs"]');
    await page.reload();
    await page.click('[data-nav="runs"]');
    const table = page.locator(`[data-test="sweep-table"][data-sweep="${id}"]`);
    await expect.poll(() => table.locator('[data-test="sweep-row"]').count(), { timeout: 30_000 }).toBe(2);
    await table.locator('[data-test="sweep-delete"]').click();
    await expect.poll(() => table.count()).toBe(0);
    const trashed = page.locator(`[data-trashed="${id}"]`);
    await trashed.waitFor();
    expect(await trashed.textContent()).toContain('sweep ·');
    expect(fs.existsSync(sweepDir)).toBe(false);
    await trashed.locator('[data-test="run-restore"]').click();
    await expect.poll(() => table.locator('[data-test="sweep-row"]').count(), { timeout: 30_000 }).toBe(2);
    expect(await trashed.count()).toBe(0);
    expect(fs.existsSync(path.join(file.cells[0].runDir, 'summary.json'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('still deletes and restores a single run the same way', async () => {
    const { runsDir } = (await api('settings.get', {})) as { runsDir: string };
    const id = '20261130-000000-old-run';
    fs.cpSync(fixture, path.join(runsDir, id), { recursive: true });
    await page.reload();
    await page.click('[data-nav="runs"]');
    const row = page.locator(`[data-run="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.locator('[data-test="run-delete"]').click();
    const trashed = page.locator(`[data-trashed="${id}"]`);
    await trashed.waitFor();
    expect(await trashed.textContent()).not.toContain('sweep ·');
    await trashed.locator('[data-test="run-restore"]').click();
    await row.waitFor({ timeout: 30_000 });
    expect(await trashed.count()).toBe(0);
    expect(fs.existsSync(path.join(runsDir, id, 'summary.json'))).toBe(true);
    expect(problems).toEqual([]);
  });
});
