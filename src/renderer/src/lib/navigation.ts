/** Moving between views from inside a view (e.g. "open results" on a finished run). */
import { inject, provide } from 'vue';

export type ViewName = 'datasets' | 'experiment' | 'runs' | 'results' | 'settings';
const KEY = Symbol('navigate');

export function provideNavigation(go: (view: ViewName) => void): void {
  provide(KEY, go);
}

export function useNavigation(): (view: ViewName) => void {
  return inject<(view: ViewName) => void>(KEY, () => undefined);
}
