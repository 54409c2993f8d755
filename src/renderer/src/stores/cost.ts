import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { BaselineEstimate, LayerCostTableInfo, RunEstimate, SweepCostInfo } from '@shared/contract';
import { getApi } from '../transport';
import { messageOf } from '../lib/errors';
import type { ConfigJson } from './experiments';
import { plainCopy } from '../lib/plain';
import { FROZEN_BLOCK, firstTrainedBlock, trainFromOfBlock } from '@shared/first-block';

/** The config with another first trained block (`full`, `frozen` or the block). */
function withBlock(config: ConfigJson, k: number): ConfigJson {
  const copy = plainCopy(config);
  if (copy.model.kind === 'yamnet-lstm')
    copy.model.yamnet = { ...copy.model.yamnet, trainFrom: trainFromOfBlock(k) };
  return copy;
}

/**
 * What a YAMNet-LSTM run will cost: the "train from" layer table (shapes at once, costs per block
 * as they are measured on the server) and the estimate of the run as configured.
 */
export const useCostStore = defineStore('cost', () => {
  const table = ref<LayerCostTableInfo | null>(null);
  const tableError = ref('');
  const tableLoading = ref(false);
  const estimate = ref<RunEstimate | null>(null);
  /** A sweep's cells, each estimated from its own config (with `estimate`, the base config's). */
  const sweep = ref<SweepCostInfo | null>(null);
  /** The config (as JSON text) the estimate was made for: an edit makes it stale. */
  const estimateOf = ref('');
  const estimateError = ref('');
  /** Block being calibrated (FROZEN_BLOCK = frozen; 0 = a baseline's features), or null. */
  const measuring = ref<number | null>(null);
  const measureError = ref('');

  let tableRequest = 0;
  async function loadTable(config: ConfigJson): Promise<void> {
    const mine = ++tableRequest;
    tableLoading.value = true;
    tableError.value = '';
    try {
      const res = await getApi().call('experiment.layers', { config });
      if (mine === tableRequest) table.value = res;
    } catch (err) {
      if (mine === tableRequest) {
        table.value = null;
        tableError.value = messageOf(err);
      }
    } finally {
      if (mine === tableRequest) tableLoading.value = false;
    }
  }

  /** Calibrates the run as configured; its block's row of the table fills in too. */
  async function estimateRun(config: ConfigJson): Promise<RunEstimate | null> {
    const text = JSON.stringify(config);
    const from = config.model.kind === 'yamnet-lstm' ? config.model.yamnet.trainFrom : undefined;
    measuring.value = from === undefined ? FROZEN_BLOCK : firstTrainedBlock(from);
    estimateError.value = '';
    try {
      const res = await getApi().call('experiment.estimate', { config });
      estimate.value = res.estimate;
      sweep.value = res.sweep ?? null;
      estimateOf.value = text;
      table.value = res.table;
      return res.estimate;
    } catch (err) {
      estimate.value = null;
      sweep.value = null;
      estimateError.value = messageOf(err);
      return null;
    } finally {
      measuring.value = null;
    }
  }

  const baseline = ref<BaselineEstimate | null>(null);
  const baselineOf = ref('');
  /** Times feature extraction on a few of the corpus's files for a baseline run as configured. */
  async function estimateBaseline(config: ConfigJson): Promise<BaselineEstimate | null> {
    const text = JSON.stringify(config);
    measuring.value = 0;
    estimateError.value = '';
    try {
      baseline.value = await getApi().call('experiment.baselineEstimate', { config });
      baselineOf.value = text;
      return baseline.value;
    } catch (err) {
      baseline.value = null;
      estimateError.value = messageOf(err);
      return null;
    } finally {
      measuring.value = null;
    }
  }

  /** Calibrates training from block K (1..14) for the table, leaving the run's estimate alone. */
  async function measureBlock(config: ConfigJson, k: number): Promise<boolean> {
    measuring.value = k;
    measureError.value = '';
    try {
      table.value = (await getApi().call('experiment.estimate', { config: withBlock(config, k) })).table;
      return true;
    } catch (err) {
      measureError.value = `block ${k}: ${messageOf(err)}`;
      return false;
    } finally {
      measuring.value = null;
    }
  }

  /** Every block not yet measured, cheapest (14) first, one request each. */
  async function measureAll(config: ConfigJson): Promise<void> {
    for (let k = 14; k >= 1; k--) {
      if (table.value?.rows[k - 1]?.perEpochSec != null) continue;
      if (!(await measureBlock(config, k))) return;
    }
  }

  function isCurrent(config: ConfigJson | null): boolean {
    if (config?.model?.kind === 'baseline')
      return baseline.value !== null && baselineOf.value === JSON.stringify(config);
    return estimate.value !== null && config !== null && estimateOf.value === JSON.stringify(config);
  }

  return {
    table,
    tableError,
    tableLoading,
    estimate,
    sweep,
    estimateError,
    measuring,
    measureError,
    loadTable,
    estimateRun,
    baseline,
    estimateBaseline,
    measureBlock,
    measureAll,
    isCurrent,
  };
});
