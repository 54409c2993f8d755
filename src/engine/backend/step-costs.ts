/**
 * Measured training-step costs per backend and mode, kept in the data home so that `backends`,
 * Settings and environment.json can say what fine-tuning costs here, from a measurement rather
 * than a rule of thumb. Every cost calibration (a run's estimate, the layer table, `backends
 * --measure`) records its timed step; the newest measurement per backend, mode and batch shape wins.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeJsonAtomic } from '../util/atomic';
import { dataHome } from '../util/paths';
import { trainFromOfBlock } from '@shared/first-block';

export interface StepCost {
  backend: string;
  /** First trained YAMNet block (shared/first-block): 1 = full fine-tuning, FROZEN_BLOCK = frozen. */
  firstTrainedBlock: number;
  batchSize: number;
  /** Mean patches per utterance of the timed batches. */
  patchesPerUtterance: number;
  perStepSec: number;
  /** ISO time of the measurement. */
  at: string;
  host: string;
}

interface StepCostFile {
  version: 1;
  costs: StepCost[];
}

function costFile(): string {
  return path.join(dataHome(), 'step-costs.json');
}

/** Every recorded step cost; a missing or unreadable file is no measurement yet. */
export function readStepCosts(): StepCost[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(costFile(), 'utf8')) as Partial<StepCostFile>;
    return Array.isArray(parsed.costs) ? parsed.costs.filter((c) => Number.isFinite(c?.perStepSec)) : [];
  } catch {
    return [];
  }
}

/** Records a timed step, replacing an older one of the same backend, mode, batch size and host. */
export function recordStepCost(cost: Omit<StepCost, 'at' | 'host'>): void {
  if (!Number.isFinite(cost.perStepSec) || cost.perStepSec <= 0) return;
  const entry: StepCost = { ...cost, at: new Date().toISOString(), host: os.hostname() };
  const same = (c: StepCost) =>
    c.backend === entry.backend &&
    c.firstTrainedBlock === entry.firstTrainedBlock &&
    c.batchSize === entry.batchSize &&
    c.host === entry.host;
  try {
    writeJsonAtomic(costFile(), { version: 1, costs: [...readStepCosts().filter((c) => !same(c)), entry] });
  } catch {
    // A read-only data home loses the record, never the calibration that made it.
  }
}

/** This host's newest measured cost per mode on `backend`, cheapest mode last. */
export function measuredStepCosts(backend: string): StepCost[] {
  const host = os.hostname();
  const newest = new Map<number, StepCost>();
  for (const c of readStepCosts()) {
    if (c.backend !== backend || c.host !== host) continue;
    const had = newest.get(c.firstTrainedBlock);
    if (!had || had.at < c.at) newest.set(c.firstTrainedBlock, c);
  }
  return [...newest.values()].sort((a, b) => a.firstTrainedBlock - b.firstTrainedBlock);
}

/** "full 0.94 s, from 11 0.29 s, frozen 0.03 s per step of 24": the measured costs in a line. */
export function describeStepCosts(costs: StepCost[]): string {
  if (!costs.length) return '';
  const mode = (k: number) => {
    const from = trainFromOfBlock(k);
    return typeof from === 'number' ? `from ${from}` : from;
  };
  const sec = (s: number) => (s >= 10 ? s.toFixed(0) : s >= 1 ? s.toFixed(1) : s.toFixed(2));
  return costs
    .map((c) => `${mode(c.firstTrainedBlock)} ${sec(c.perStepSec)} s/step of ${c.batchSize}`)
    .join(', ');
}
