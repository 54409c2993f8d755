/**
 * Every view at 1440×900 and 1024×700 (issue 18, item 8): no horizontal overflow and no controls
 * on top of each other, judged from element boxes (not pixels). The views hold real content: the
 * RAVDESS subset, a finished frozen run (1 epoch) opened in Results. Screenshots go to e2e-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { artifactsDir, launchChromium, callApi, openPage, startServe, type Served } from './support';

let served: Served;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  // A finished run for the Runs and Results views (frozen, one epoch: well under a minute).
  await callApi(served, 'runs.start', {
    config: {
      name: 'layout',
      data: { dir: path.join(sharedDir(), 'data', 'ravdess') },
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 1 },
    },
  });
  browser = await launchChromium();
  page = await openPage(browser, problems);
  await page.goto(served.url);
  await page.click('[data-test="add-starter"]');
  await page.waitForSelector('[data-test="dataset-summary"]', { timeout: 120_000 });
  await page.locator('[data-test="file-list"] tbody tr').first().click();
  await page.waitForSelector('[data-test="audio-panel"] [data-test="figure-logmel"] .main-svg', {
    timeout: 60_000,
  });
  await page.click('[data-nav="runs"]');
  const row = page.locator('[data-test="runs-table"] tbody tr').first();
  await row.locator('[data-test="run-state"]', { hasText: /^done$/ }).waitFor({ timeout: 300_000 });
  await row.locator('[data-test="run-results"]').click();
  await page.waitForSelector('[data-test$="-tsne"] .main-svg .scatterlayer .point', { timeout: 120_000 });
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

interface LayoutProblem {
  kind: 'overflow' | 'overlap';
  what: string;
}

/** Horizontal overflow and overlapping controls in the shown view, from element boxes. */
function layoutProblems(p: Page): Promise<LayoutProblem[]> {
  return p.evaluate(() => {
    const out: { kind: 'overflow' | 'overlap'; what: string }[] = [];
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-test') ? `[data-test=${el.getAttribute('data-test')}]` : ''}${
        el.textContent?.trim() ? ` "${el.textContent.trim().slice(0, 30)}"` : ''
      }`;
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    };
    // Inside a scrolling or clipping box (a long table, the fold matrix), width is that box's business.
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    };
    if (document.documentElement.scrollWidth > window.innerWidth + 1)
      out.push({
        kind: 'overflow',
        what: `page ${document.documentElement.scrollWidth} > ${window.innerWidth}`,
      });
    const view = Array.from(document.querySelectorAll('[data-view]')).find(visible);
    if (!view) return [{ kind: 'overflow', what: 'no view shown' }];
    const right = view.getBoundingClientRect().right;
    for (const el of Array.from(view.querySelectorAll('*'))) {
      if (!visible(el) || el.closest('.js-plotly-plot') || clipped(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.right > right + 1)
        out.push({ kind: 'overflow', what: `${name(el)} ends at ${r.right} > ${right}` });
    }
    const controls = Array.from(view.querySelectorAll('button, input, select, textarea, a')).filter(
      (el) => visible(el) && !el.closest('.js-plotly-plot') && (el as HTMLInputElement).type !== 'hidden',
    );
    const boxes = controls.map((el) => el.getBoundingClientRect());
    for (let i = 0; i < controls.length; i++) {
      for (let j = i + 1; j < controls.length; j++) {
        if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
        const a = boxes[i];
        const b = boxes[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1)
          out.push({ kind: 'overlap', what: `${name(controls[i])} × ${name(controls[j])}` });
      }
    }
    return out;
  });
}

const sizes = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];
const views = ['datasets', 'experiment', 'runs', 'results', 'settings'] as const;

describe('layout of every view', () => {
  for (const size of sizes) {
    for (const view of views) {
      it(`${view} at ${size.width}×${size.height}: no horizontal overflow, no overlapping controls`, async () => {
        await page.setViewportSize(size);
        await page.click(`[data-nav="${view}"]`);
        await page.waitForSelector(`[data-view="${view}"]`);
        if (view === 'experiment')
          await page.waitForSelector('[data-test="fold-matrix"]', { timeout: 60_000 });
        if (view === 'settings')
          await page.waitForSelector('[data-test="backend-active"]', { timeout: 60_000 });
        // Plotly redraws on resize; let it settle before measuring.
        await page.waitForTimeout(600);
        await page.screenshot({
          path: path.join(artifactsDir, `layout-${view}-${size.width}x${size.height}.png`),
          fullPage: true,
        });
        expect(await layoutProblems(page)).toEqual([]);
      });
    }
  }
  it('logged no page errors', () => expect(problems).toEqual([]));
});
