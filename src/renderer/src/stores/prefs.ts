/**
 * Display preferences chosen in Settings and kept in this browser (localStorage): how accuracies
 * read, so that every table in a view uses one unit.
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type AccuracyUnit = 'percent' | 'fraction';
const KEY = 'ser-workbench.prefs';

function saved(): { accuracyUnit?: AccuracyUnit } {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as { accuracyUnit?: AccuracyUnit };
  } catch {
    return {};
  }
}

export const usePrefsStore = defineStore('prefs', () => {
  const accuracyUnit = ref<AccuracyUnit>(saved().accuracyUnit === 'fraction' ? 'fraction' : 'percent');
  watch(accuracyUnit, (unit) => {
    try {
      localStorage.setItem(KEY, JSON.stringify({ accuracyUnit: unit }));
    } catch {
      // Storage refused (private window): the choice lasts for this page.
    }
  });
  return { accuracyUnit };
});
