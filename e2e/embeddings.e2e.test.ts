/**
 * The Results view's embeddings on a real frozen-mode run of the RAVDESS subset (Chromium, served
 * mode): choosing UMAP gives another embedding of the same fold, with UMAP in the title line and
 * the coordinates the run folder caches; "show training/validation" adds that fold model's train
 * and val utterances as faded points; the visualisation model (trained on all speakers, on
 * request, in a task worker) is drawn with its label in the title line, the legend and the SVG.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { VISUALISATION_MODEL_LABEL } from '../src/shared/figure-title';
import {
  artifactsDir,
  launchChromium,
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

interface Drawn {
  title: string;
  legendTitle: string | null;
  traces: { name: string; files: string[]; x: number[]; y: number[]; opacity: unknown }[];
}

/** What plotly holds for the t-SNE figure: its title line and its traces. */
async function drawn(): Promise<Drawn> {
  return page.evaluate(() => {
    const gd = document.querySelector('[data-test$="-tsne"] .js-plotly-plot') as unknown as {
      layout: { title: { text: string }; legend?: { title?: { text?: string } } };
      data: { name: string; customdata?: string[]; x: number[]; y: number[]; marker: { opacity: unknown } }[];
    };
    return {
      title: gd.layout.title.text,
      legendTitle: gd.layout.legend?.title?.text ?? null,
      traces: gd.data
        .filter((t) => t.customdata)
        .map((t) => ({ name: t.name, files: t.customdata!, x: t.x, y: t.y, opacity: t.marker.opacity })),
    };
  });
}

/** file → [x, y] of every drawn point. */
function coordinates(d: Drawn): Map<string, [number, number]> {
  return new Map(d.traces.flatMap((t) => t.files.map((f, i) => [f, [t.x[i], t.y[i]]] as const)));
}

const pointCount = () => page.locator('[data-test$="-tsne"] .scatterlayer .point').count();

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  runDir = await trainByCli(served, 'embeddings', frozenRunConfig('e2e-embeddings'), ravdess);
  browser = await launchChromium();
  page = await (
    await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })
  ).newPage();
  await page.goto(served.url);
  await page.click('[data-nav="results"]');
  await page.click(`[data-run-option="${path.basename(runDir)}"]`, { timeout: 60_000 });
  await page.click('[data-test="results-open"]');
  await page.waitForSelector('[data-test$="-tsne"] .main-svg .scatterlayer .point', { timeout: 180_000 });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('embeddings in the Results view (served mode, Chromium)', () => {
  it('selecting UMAP shows a different embedding of the fold, with UMAP in its title', async () => {
    await page.selectOption('[data-test="tsne-fold"]', '0');
    await expect
      .poll(async () => (await drawn()).title, { timeout: 120_000 })
      .toMatch(/ · fold 1 · .*<br>t-SNE of/);
    await expect.poll(pointCount, { timeout: 120_000 }).toBe(16);
    const tsne = await drawn();

    await page.selectOption('[data-test="tsne-method"]', 'umap');
    await expect
      .poll(async () => (await drawn()).title, { timeout: 120_000 })
      .toMatch(/ · fold 1 · .*<br>UMAP of/);
    const umap = await drawn();
    expect(umap.title).toMatch(
      /UMAP of the fold model’s test utterances · trustworthiness T\(5\) = \d\.\d\d/,
    );
    const a = coordinates(tsne);
    const b = coordinates(umap);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect([...b.keys()].some((f) => a.get(f)![0] !== b.get(f)![0] || a.get(f)![1] !== b.get(f)![1])).toBe(
      true,
    );
    // Drawn as the run folder caches it: UMAP, 30 neighbours (the perplexity field), seed 0.
    const cached = JSON.parse(
      fs.readFileSync(path.join(runDir, 'tsne', 'v4-fold-0-p30-s0-umap.json'), 'utf8'),
    ) as { panels: { method: string }[]; points: { file: string; x: number; y: number }[] };
    expect(cached.panels[0].method).toMatch(/^UMAP of fold 1's model on its 16 test utterances \(umap-js/);
    for (const p of cached.points) expect(b.get(p.file)).toEqual([p.x, p.y]);
    await page.screenshot({ path: path.join(artifactsDir, 'embeddings-umap.png'), fullPage: true });
    await page.selectOption('[data-test="tsne-method"]', 'tsne');
    await expect.poll(async () => (await drawn()).title, { timeout: 120_000 }).toMatch(/t-SNE of/);
  });

  it('adds the fold model’s training and validation utterances as faded points on request', async () => {
    await page.check('[data-test="tsne-trainval"]');
    await expect.poll(pointCount, { timeout: 120_000 }).toBe(64);
    const d = await drawn();
    expect(d.title).toContain('test utterances; train/val faded');
    const folds = JSON.parse(fs.readFileSync(path.join(runDir, 'folds.json'), 'utf8')) as {
      folds: { train: string[]; validation: string[] }[];
    };
    const train = d.traces.find((t) => t.name === 'train')!;
    const val = d.traces.find((t) => t.name === 'val')!;
    expect(train.files).toHaveLength(16 * folds.folds[0].train.length);
    expect(val.files).toHaveLength(16 * folds.folds[0].validation.length);
    expect(train.opacity as number).toBeLessThan(0.5);
    expect(val.opacity as number).toBeLessThan(0.5);
    const tests = d.traces.filter((t) => t.name !== 'train' && t.name !== 'val').flatMap((t) => t.files);
    expect(tests).toHaveLength(16);
    expect(fs.existsSync(path.join(runDir, 'tsne', 'v4-fold-0-p30-s0-trainval.json'))).toBe(true);
    await page.screenshot({ path: path.join(artifactsDir, 'embeddings-trainval.png'), fullPage: true });
    // A lasso over context and test points lists the test points only (the context is not a
    // test result of this model): plotly's own selection event, over two points of each kind.
    await page.evaluate(() => {
      const gd = document.querySelector('[data-test$="-tsne"] .js-plotly-plot') as unknown as {
        data: { name: string; customdata?: string[] }[];
        emit(ev: string, data: unknown): void;
      };
      const points = gd.data
        .filter((t) => t.customdata)
        .flatMap((t) => t.customdata!.slice(0, 1).map((c) => ({ data: t, customdata: c })));
      gd.emit('plotly_selected', { points });
    });
    await page.waitForSelector('[data-test="utterance-table"]');
    const listed = await page
      .locator('[data-test="utterance-row"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));
    const firstTests = d.traces
      .filter((t) => t.name !== 'train' && t.name !== 'val')
      .map((t) => t.files[0])
      .sort();
    expect(listed.sort()).toEqual(firstTests);
    await page.evaluate(() => {
      const gd = document.querySelector('[data-test$="-tsne"] .js-plotly-plot') as unknown as {
        emit(ev: string): void;
      };
      gd.emit('plotly_deselect');
    });
    await page.uncheck('[data-test="tsne-trainval"]');
    await expect.poll(pointCount, { timeout: 120_000 }).toBe(16);
  });

  it('draws the visualisation model, labelled as not a test result, and exports the label', async () => {
    await page.selectOption('[data-test="tsne-fold"]', 'visualisation');
    await expect
      .poll(async () => (await drawn()).title, { timeout: 300_000 })
      .toContain(VISUALISATION_MODEL_LABEL);
    await expect.poll(pointCount, { timeout: 60_000 }).toBe(64);
    const d = await drawn();
    expect(d.legendTitle).toContain('not a test result');
    expect(d.title).toMatch(/t-SNE of every utterance \(2 epochs, 4 speakers\)/);
    expect(fs.existsSync(path.join(runDir, 'visualisation', 'done.json'))).toBe(true);
    const fig = page.locator('[data-test$="-tsne"]');
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      fig.locator('[data-test="export-svg"]').click(),
    ]);
    const svgFile = path.join(artifactsDir, 'tsne-visualisation-model.svg');
    await svg.saveAs(svgFile);
    // Plotly writes the em dash as it is.
    expect(fs.readFileSync(svgFile, 'utf8')).toContain(VISUALISATION_MODEL_LABEL);
    // The run's own results do not change: Table II still reads the folds' summary.
    expect(await page.textContent('[data-test="results-table"]')).not.toContain('visualisation');
  });
});
