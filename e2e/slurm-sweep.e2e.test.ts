/**
 * Issue 13's GUI "done when", in Chromium on served mode and a REAL one-node Slurm
 * (.ci/slurm-up.sh): a 2 × 2 sweep (learning rate × seed) of frozen runs on the shared EMO-DB set,
 * designed in the Experiment view with the slurm executor, submitted from the GUI as one array
 * job; the Runs view's sweep table shows four rows that finish with the UARs the cells' own
 * summary.json files hold, every fold job done under its Slurm task id. Two speaker-grouped folds
 * and one epoch keep it to a few minutes. Skips, saying why, only when no Slurm runs here; with
 * SER_REQUIRE_SLURM=1 (CI) a missing Slurm fails it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import {
  artifactsDir,
  launchChromium,
  callApi,
  openPage,
  startServe,
  waitForFoldMatrix,
  type Served,
} from './support';

function slurmState(): string | null {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const states = r.stdout.split('\n').filter(Boolean);
  return states.some((s) => /^(idle|mixed|allocated)/.test(s)) ? states.join(',') : null;
}

const slurm = slurmState();
const required = process.env.SER_REQUIRE_SLURM === '1';
if (!slurm && !required) {
  console.warn(
    'slurm-sweep e2e skipped: no running Slurm (sinfo finds no usable node; is SLURM_CONF set?); start one with .ci/slurm-up.sh',
  );
}

const emodb = path.join(sharedDir(), 'data', 'emodb');
let served: Served;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const api = (method: string, body: unknown) => callApi(served, method, body);

describe.skipIf(!slurm && !required)('a sweep submitted to Slurm from the GUI', () => {
  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    served = await startServe();
    browser = await launchChromium();
    page = await openPage(browser, problems);
  });
  afterAll(async () => {
    // Nothing of ours left in the queue if the test failed half-way.
    if (served) {
      const runs = (await api('runs.list', {}).catch(() => [])) as { id: string; state: string }[];
      for (const r of runs.filter((x) => x.state === 'queued' || x.state === 'running'))
        await api('runs.cancel', { id: r.id }).catch(() => undefined);
    }
    await browser?.close();
    await served?.stop();
  });

  it('has a running Slurm (CI requires one)', () => {
    expect(
      slurm,
      'no running Slurm: sinfo finds no usable node (start one with .ci/slurm-up.sh)',
    ).not.toBeNull();
  });

  it('designs the 2 × 2 sweep with the slurm executor and shows the jobs it makes', async () => {
    await page.goto(served.url);
    await page.click('[data-nav="experiment"]');
    await page.fill('[data-test="cfg-name"]', 'gui-sweep');
    await page.fill('[data-test="cfg-data-dir"]', emodb);
    await page.selectOption('[data-test="cfg-train-from"]', 'frozen');
    await page.fill('[data-test="cfg-epochs"]', '1');
    await page.selectOption('[data-test="cfg-scheme"]', 'kfold');
    await page.fill('[data-test="cfg-k"]', '2');
    await page.selectOption('[data-test="cfg-executor"]', 'slurm');
    await page.click('[data-test="sweep-add"]');
    await page.fill('[data-test="sweep-field-0"]', 'training.learningRate');
    await page.fill('[data-test="sweep-values-0"]', '0.001, 0.003');
    await page.click('[data-test="sweep-add"]');
    await page.fill('[data-test="sweep-field-1"]', 'seed');
    await page.fill('[data-test="sweep-values-1"]', '1, 2');
    await page.locator('[data-test="sweep-values-1"]').blur();
    expect(await page.textContent('[data-test="sweep-cells"]')).toContain('4 cells');
    await waitForFoldMatrix(page, 120_000);
    // Validated as typed, on the server: a moment after the last edit.
    await expect
      .poll(() => page.locator('[data-test="config-invalid"]').count(), { timeout: 30_000 })
      .toBe(0);

    await page.click('[data-test="run-start"]');
    await page.waitForSelector('[data-test="run-confirm-card"] [data-test="job-estimate"]', {
      timeout: 300_000,
    });
    // Four cells × two folds: eight array tasks, each sized from the measured per-fold cost.
    expect(await page.textContent('[data-test="est-jobs"]')).toBe('8');
    expect(await page.textContent('[data-test="est-slurm-time"]')).toMatch(/^\d+ min$/);
    await page.screenshot({ path: path.join(artifactsDir, 'slurm-sweep-confirm.png'), fullPage: true });
    expect(await page.textContent('[data-test="run-confirm"]')).toContain('Submit to Slurm');
    await page.click('[data-test="run-confirm"]');
    await page.waitForSelector('[data-view="runs"] [data-test="sweep-table"]');
  });

  it('shows the sweep table with four rows that finish on Slurm with the cells’ own results', async () => {
    const rows = page.locator('[data-test="sweep-table"] [data-test="sweep-row"]');
    expect(await rows.count()).toBe(4);
    const states = () => rows.locator('[data-test="sweep-state"]').allTextContents();
    // Queued while prepared and submitted; then Slurm runs the tasks.
    expect((await states()).every((s) => ['queued', 'running', 'done'].includes(s))).toBe(true);
    await expect.poll(states, { timeout: 900_000, interval: 2000 }).toEqual(['done', 'done', 'done', 'done']);
    await page.screenshot({ path: path.join(artifactsDir, 'slurm-sweep-done.png'), fullPage: true });

    const list = (await api('runs.list', {})) as {
      id: string;
      dir: string;
      sweep?: { values: Record<string, unknown> };
      columns?: { executor: string | null; hosts: string[] };
      foldJobs?: { state: string; taskId: string | null }[];
    }[];
    const cells = list.filter((r) => r.sweep);
    expect(cells.map((c) => c.sweep!.values)).toEqual([
      { 'training.learningRate': 0.001, seed: 1 },
      { 'training.learningRate': 0.001, seed: 2 },
      { 'training.learningRate': 0.003, seed: 1 },
      { 'training.learningRate': 0.003, seed: 2 },
    ]);
    const taskIds = new Set<string>();
    for (const [i, c] of cells.entries()) {
      // Each fold was trained by a Slurm array task, recorded in the fold's environment.json.
      expect(c.columns?.executor).toBe('slurm');
      expect(c.foldJobs?.map((j) => j.state)).toEqual(['done', 'done']);
      for (const j of c.foldJobs!) taskIds.add(j.taskId!);
      const env = JSON.parse(
        fs.readFileSync(path.join(c.dir, 'folds', 'fold-01', 'environment.json'), 'utf8'),
      );
      expect(env.executor).toBe('slurm');
      // The row's UAR is the cell's summary.json, as the page shows it (percent, one decimal).
      const summary = JSON.parse(fs.readFileSync(path.join(c.dir, 'summary.json'), 'utf8'));
      const shown = await rows.nth(i).locator('[data-test="sweep-uar"]').textContent();
      expect(shown).toBe((summary.pooled.averageAccuracy * 100).toFixed(1));
    }
    // One array job: eight tasks of the same job id.
    expect(taskIds.size).toBe(8);
    expect(new Set([...taskIds].map((t) => t.split('_')[0])).size).toBe(1);
    expect(await page.locator('[data-test="sweep-best"]', { hasText: '★' }).count()).toBeGreaterThanOrEqual(
      1,
    );

    // The run table lists the cells with their fold jobs under their Slurm task ids.
    const first = page.locator(`[data-test="runs-table"] [data-run="${cells[0].id}"]`);
    const jobs = first.locator('[data-test="fold-job"]');
    expect(await jobs.count()).toBe(2);
    expect(await jobs.first().getAttribute('data-state')).toBe('done');
    expect(await jobs.first().textContent()).toMatch(/^1: \d+_0$/);
  });

  it('ticks two cells to overlay their curves, and keeps tags and notes in the cell folder', async () => {
    // The selected cell finished on Slurm (no live events): its curves come from its folds' history.
    const legend = () => page.locator('[data-test$="accuracy-curves"] .legend .traces').allTextContents();
    await expect
      .poll(legend, { timeout: 60_000 })
      .toEqual(expect.arrayContaining(['val mean (2 folds)', 'train mean (2 folds)']));
    const checks = page.locator('[data-test="runs-table"] [data-test="run-check"]');
    await checks.nth(0).check();
    await checks.nth(1).check();
    await page.waitForSelector('[data-test="run-curves"][data-runs="2"]');
    await expect.poll(legend, { timeout: 60_000 }).toHaveLength(2);
    expect((await legend()).every((t) => /mean \(2 folds\)$/.test(t))).toBe(true);

    await page.locator('[data-test="runs-table"] tbody tr').first().click();
    await page.fill('[data-test="run-tags-input"]', 'cluster, lr-sweep');
    await page.fill('[data-test="run-notes-input"]', 'submitted from the GUI');
    await page.click('[data-test="run-notes-save"]');
    await page.waitForSelector('[data-test="run-notes-saved"]');
    const id = await page.locator('[data-test="runs-table"] tbody tr').first().getAttribute('data-run');
    const dir = ((await api('runs.list', {})) as { id: string; dir: string }[]).find((r) => r.id === id)!.dir;
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'notes.json'), 'utf8'))).toEqual({
      tags: ['cluster', 'lr-sweep'],
      notes: 'submitted from the GUI',
    });
    // The tag filter shows only that run.
    await page.fill('[data-test="runs-filter"]', '#lr-sweep');
    expect(await page.locator('[data-test="runs-table"] tbody tr').count()).toBe(1);
    await page.fill('[data-test="runs-filter"]', '');
    expect(problems).toEqual([]);
  });
});
