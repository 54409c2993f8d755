/**
 * The UI keeps answering while heavy work runs: a cost calibration (real training steps) and a
 * t-SNE run in task workers, and the page's own round-trips to the server stay quick meanwhile.
 * Measured from inside Chromium with the page's token, as the UI's own calls are; then both
 * heavy requests are cancelled through `tasks.cancel` and fail as cancelled.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mulberry32 } from '../src/engine/util/random';
import { sharedDir } from '../src/engine/util/paths';
import { launchChromium, startServe, type Served } from './support';

let served: Served;
let browser: Browser;
let page: Page;

/** A run folder with one fold of saved activations, big enough that its t-SNE takes seconds. */
function runWithActivations(home: string, points: number, dims: number): string {
  const id = 'e2e-responsive-tsne';
  const fold = path.join(home, 'runs', id, 'folds', 'fold-01');
  fs.mkdirSync(fold, { recursive: true });
  const rand = mulberry32(3);
  const data = new Float32Array(points * dims).map(() => rand());
  fs.writeFileSync(path.join(fold, 'activations.f32'), Buffer.from(data.buffer));
  const ids = Array.from({ length: points }, (_, i) => `u${i}.wav`);
  fs.writeFileSync(path.join(fold, 'activations.json'), JSON.stringify({ shape: [points, dims], ids }));
  // What makes a folder a run folder to the server (run ids name run folders only).
  fs.writeFileSync(
    path.join(home, 'runs', id, 'status.json'),
    JSON.stringify({
      state: 'done',
      fold: 0,
      folds: 1,
      epoch: 0,
      epochs: 0,
      foldsDone: [0],
      updated: new Date().toISOString(),
    }),
  );
  return id;
}

beforeAll(async () => {
  served = await startServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('responsiveness', () => {
  it('answers within 100 ms (median) while a calibration and a t-SNE run', async () => {
    const runId = runWithActivations(served.home, 6000, 32);
    const config = {
      name: 'e2e-responsive',
      data: { dir: path.join(sharedDir(), 'data', 'ravdess') },
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 13 } },
    };
    await page.goto(served.url);
    await page.locator('[data-nav="runs"]').waitFor();
    const measured = await page.evaluate(
      async ({ config, runId }) => {
        const token = sessionStorage.getItem('ser-workbench-token')!;
        const call = async (method: string, body: unknown) => {
          const res = await fetch(`/api/${method}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-ser-workbench-token': token },
            body: JSON.stringify(body),
          });
          const json = (await res.json()) as { result?: unknown; error?: { message: string } };
          if (!json.result) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
          return json.result;
        };
        let heavyRunning = 2;
        const heavy = [
          call('experiment.estimate', { config, taskId: 'calibration' }),
          call('results.tsne', { id: runId, fold: 0, taskId: 'tsne' }),
        ].map((p) => p.finally(() => heavyRunning--));
        // Let both tasks reach their workers before measuring.
        await new Promise((r) => setTimeout(r, 1500));
        const during: number[] = [];
        while (heavyRunning === 2 && during.length < 30) {
          const t0 = performance.now();
          await call('app.info', {});
          if (heavyRunning === 2) during.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 100));
        }
        // Both still running: cancel them, which also ends the test quickly.
        const cancels = await Promise.all(
          ['calibration', 'tsne'].map(
            (taskId) => call('tasks.cancel', { taskId }) as Promise<{ cancelled: boolean }>,
          ),
        );
        const outcomes = await Promise.allSettled(heavy);
        return {
          during,
          cancelled: cancels.map((c) => c.cancelled),
          errors: outcomes.map((o) =>
            o.status === 'rejected' ? String((o.reason as Error).message) : 'finished',
          ),
        };
      },
      { config, runId },
    );
    // Both heavy calls were still running after the pings, and cancel stopped them.
    expect(measured.cancelled).toEqual([true, true]);
    expect(measured.errors).toEqual(['cancelled', 'cancelled']);
    expect(measured.during.length).toBe(30);
    const sorted = [...measured.during].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `app.info round-trips during calibration + t-SNE: n=${sorted.length}, median ${median.toFixed(1)} ms`,
    );
    expect(median).toBeLessThan(100);
  });
});
