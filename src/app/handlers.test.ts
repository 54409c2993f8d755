import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, methods } from '@shared/contract';
import { handlers } from './handlers';
import { dispatch, CallFailure } from './dispatch';

describe('handler table', () => {
  it('has a handler for every contract method and nothing else', () => {
    expect(Object.keys(handlers).sort()).toEqual([...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) expect(typeof handlers[name]).toBe('function');
    for (const name of METHOD_NAMES) {
      expect(methods[name].request).toBeDefined();
      expect(methods[name].response).toBeDefined();
    }
  });

  it('refuses unknown methods and malformed requests before any handler runs', async () => {
    const ctx = null as never;
    await expect(dispatch(handlers, 'fs.readAnything', {}, ctx)).rejects.toBeInstanceOf(CallFailure);
    const bad = await dispatch(handlers, 'runs.get', { id: '../../etc' }, ctx).catch(
      (e: CallFailure) => e.error,
    );
    expect(bad).toMatchObject({ kind: 'invalid' });
    const extra = await dispatch(handlers, 'audio.view', { path: '/x.wav', evil: 1 }, ctx).catch(
      (e: CallFailure) => e.error,
    );
    expect(extra).toMatchObject({ kind: 'invalid' });
  });
});
