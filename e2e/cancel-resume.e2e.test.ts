/** Cancelling a training run from the Runs view, then resuming it to the end (served mode, Chromium). */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { artifactsDir, launchChromium, startServe, type Served } from './support';

let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  served = await startServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
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

describe('cancel and resume', () => {
  it('cancels a running run and resumes it to completion', async () => {
    const run = await api('runs.start', {
      config: {
        name: 'e2e-cancel',
        data: { dir: path.join(sharedDir(), 'data', 'ravdess') },
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        training: { epochs: 60 },
      },
    });
    await page.goto(served.url);
    await page.click('[data-nav="runs"]');
    const row = page.locator(`[data-run="${String(run.id)}"]`);
    await expect
      .poll(() => row.locator('[data-test="run-progress"]').textContent(), { timeout: 240_000 })
      .toMatch(/epoch/);
    await row.locator('[data-test="run-cancel"]').click();
    await expect
      .poll(() => row.locator('[data-test="run-state"]').textContent(), { timeout: 120_000 })
      .toBe('cancelled');
    await page.screenshot({ path: path.join(artifactsDir, '07-runs-cancelled.png') });
    expect(((await api('runs.get', { id: run.id })).status as { state: string }).state).toBe('cancelled');

    await row.locator('[data-test="run-resume"]').click();
    await expect
      .poll(() => row.locator('[data-test="run-state"]').textContent(), { timeout: 30_000 })
      .toMatch(/running|done/);
    await expect
      .poll(() => row.locator('[data-test="run-state"]').textContent(), { timeout: 540_000, interval: 2000 })
      .toBe('done');
    const detail = await api('runs.get', { id: run.id });
    expect((detail.folds as { done: boolean }[]).filter((f) => f.done)).toHaveLength(4);
    expect(detail.summary).not.toBeNull();
  });
});
