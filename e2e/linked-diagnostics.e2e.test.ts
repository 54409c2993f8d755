/**
 * Linked diagnostics on a real frozen-mode run of the RAVDESS subset (Chromium, served mode):
 * clicking a confusion-matrix cell lists exactly the utterances of predictions.json with that
 * true and predicted class and highlights exactly those points in the t-SNE; a fold's t-SNE is
 * one embedding of that fold model's test utterances, 'all folds' one panel per fold; exported
 * t-SNE PNG and SVG carry the fold in their title line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import {
  artifactsDir,
  launchChromium,
  pngSize,
  frozenRunConfig,
  startServe,
  trainByCli,
  type Served,
} from './support';

const ravdess = fs.realpathSync(path.join(sharedDir(), 'data', 'ravdess'));
let served: Served;
let browser: Browser;
let page: Page;
let runDir: string;

interface Row {
  id: string;
  true: string;
  predicted: string;
}

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  // A real run, trained by the CLI into the server's runs folder (frozen mode, two epochs).
  runDir = await trainByCli(served, 'linked', frozenRunConfig('e2e-linked'), ravdess);
  browser = await launchChromium();
  page = await (
    await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })
  ).newPage();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

function predictions(): (Row & { fold: number })[] {
  const folds = fs.readdirSync(path.join(runDir, 'folds')).sort();
  return folds.flatMap((f, i) =>
    (JSON.parse(fs.readFileSync(path.join(runDir, 'folds', f, 'predictions.json'), 'utf8')) as Row[]).map(
      (r) => ({ ...r, fold: i }),
    ),
  );
}

/** The file ids of the t-SNE points drawn highlighted (thick outline), from plotly's data. */
async function highlightedTsnePoints(): Promise<string[]> {
  return page.evaluate(() => {
    const gd = document.querySelector('[data-test$="-tsne"] .js-plotly-plot') as unknown as {
      data: { customdata: string[]; marker: { line: { width: number[] } } }[];
    };
    return gd.data.flatMap((t) => t.customdata.filter((_, i) => t.marker.line.width[i] > 0));
  });
}

describe('linked diagnostics (served mode, Chromium)', () => {
  it('opens the run with per-fold t-SNE panels and per-speaker results', async () => {
    await page.goto(served.url);
    await page.click('[data-nav="results"]');
    // The searchable run picker lists finished runs; choose this one.
    await page.click(`[data-run-option="${path.basename(runDir)}"]`, { timeout: 60_000 });
    await page.click('[data-test="results-open"]');
    await page.waitForSelector('[data-test="results-table"]', { timeout: 60_000 });
    await page.waitForSelector('[data-test$="-tsne"] .main-svg .scatterlayer .point', { timeout: 180_000 });
    // 'all folds' is one panel (own axes) per fold model, 64 test utterances in all.
    expect(await page.locator('[data-test$="-tsne"] .scatterlayer .point').count()).toBe(64);
    // Each panel (own x axis) holds the points of exactly one fold.
    const panels = await page.evaluate(() => {
      const gd = document.querySelector('[data-test$="-tsne"] .js-plotly-plot') as unknown as {
        data: { xaxis?: string; text: string[] }[];
      };
      const byAxis: Record<string, string[]> = {};
      for (const t of gd.data) {
        const folds = t.text.map((x) => /fold (\d+)/.exec(x)![1]);
        byAxis[t.xaxis ?? 'x'] = [...new Set([...(byAxis[t.xaxis ?? 'x'] ?? []), ...folds])];
      }
      return byAxis;
    });
    expect(Object.keys(panels)).toHaveLength(4);
    expect(Object.values(panels).every((f) => f.length === 1)).toBe(true);
    expect(await page.locator('[data-test="per-speaker-table"] tbody tr').count()).toBe(4);
    // In the view's one unit (percent unless Settings says fractions).
    expect(await page.textContent('[data-test="uar-intervals"]')).toMatch(
      /95 % CI \[\d{1,3}\.\d, \d{1,3}\.\d\]/,
    );
  });

  it('lists and highlights exactly the utterances of a clicked confusion cell', async () => {
    const rows = predictions();
    // The off-diagonal cell with most utterances (or the first diagonal one).
    const key = (r: Row) => `${r.true}|${r.predicted}`;
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
    const [cell] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const [actual, predicted] = cell[0].split('|');
    const expected = rows
      .filter((r) => r.true === actual && r.predicted === predicted)
      .map((r) => r.id)
      .sort();

    // Click the heatmap cell through plotly's own click event on that (x, y).
    await page.evaluate(
      ({ actual, predicted }) => {
        const gd = document.querySelector('[data-test$="-confusion"] .js-plotly-plot') as unknown as {
          emit(ev: string, data: unknown): void;
        };
        gd.emit('plotly_click', { points: [{ x: predicted, y: actual }] });
      },
      { actual, predicted },
    );
    await page.waitForSelector('[data-test="utterance-table"]');
    const listed = (
      await page
        .locator('[data-test="utterance-row"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!))
    ).sort();
    expect(listed).toEqual(expected);
    expect(await page.textContent('[data-test="utterance-table"] h3')).toContain(
      `${actual} predicted as ${predicted}`,
    );
    await expect.poll(async () => (await highlightedTsnePoints()).sort()).toEqual(expected);

    // Sorted by confidence, highest first.
    const conf = await page.locator('[data-test="utterance-row"] td:nth-child(6)').allTextContents();
    expect(conf.map(Number)).toEqual([...conf.map(Number)].sort((a, b) => b - a));
    await page.screenshot({ path: path.join(artifactsDir, 'linked-01-cell.png'), fullPage: true });
  });

  it('exports a fold’s t-SNE as PNG and SVG with the fold in the title line', async () => {
    await page.selectOption('[data-test="tsne-fold"]', '1');
    await expect
      .poll(async () => page.locator('[data-test$="-tsne"] .scatterlayer .point').count(), {
        timeout: 120_000,
      })
      .toBe(16);
    const fig = page.locator('[data-test$="-tsne"]');
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      fig.locator('[data-test="export-svg"]').click(),
    ]);
    const svgFile = path.join(artifactsDir, 'tsne-fold2.svg');
    await svg.saveAs(svgFile);
    const text = fs.readFileSync(svgFile, 'utf8');
    expect(text).toContain('e2e-linked');
    expect(text).toMatch(/fold 2/);
    expect(text).toMatch(/trustworthiness T\(5\) = \d\.\d\d/);
    expect(text).toMatch(/YAMNet weights: reconstructed/);
    // Opaque background by default: the paper rectangle is white, not transparent.
    expect(text).toMatch(/fill: ?rgb\(255, ?255, ?255\); fill-opacity: ?1/);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      fig.locator('[data-test="export-png"]').click(),
    ]);
    const pngFile = path.join(artifactsDir, 'tsne-fold2.png');
    await png.saveAs(pngFile);
    expect(pngSize(fs.readFileSync(pngFile)).width).toBe(900);
    // The PNG is drawn from the same figure, whose title line names the fold.
    const title = await page.evaluate(() => {
      const gd = document.querySelector('[data-test$="-tsne"] .js-plotly-plot') as unknown as {
        layout: { title: { text: string } };
      };
      return gd.layout.title.text;
    });
    expect(title).toMatch(/e2e-linked · ravdess · frozen · fold 2 · YAMNet weights: reconstructed/);
  });
});
