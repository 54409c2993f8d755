/**
 * The single entry both transports (Electron IPC and HTTP) call: look the method up in the
 * handler table, validate the request against the contract, run the handler, and turn whatever
 * went wrong into the contract's error shape.
 */
import { ZodError } from 'zod';
import { UserError } from '../engine/util/errors';
import { CancelledError } from '../engine/util/errors';
import { ConfigError } from '../engine/config/schema';
import { pathErrorMessage } from '../engine/util/fs-errors';
import { isMethod, methods, type CallError, type Method, type Methods, type Res } from '@shared/contract';
import { AccessError } from './access';
import type { z } from 'zod';

/** What a handler receives: the request as the contract parsed it (defaults filled). */
export type ParsedReq<M extends Method> = z.output<Methods[M]['request']>;
export type Handler<M extends Method, C> = (request: ParsedReq<M>, ctx: C) => Promise<Res<M>>;
/** One handler per contract method: a missing one is a compile error (and a test failure). */
export type HandlerTable<C> = { [M in Method]: Handler<M, C> };

export class CallFailure extends Error {
  constructor(readonly error: CallError) {
    super(error.message);
    this.name = 'CallFailure';
  }
}

export function toCallError(err: unknown): CallError {
  if (err instanceof CallFailure) return err.error;
  if (err instanceof AccessError) return { kind: 'forbidden', message: err.message };
  if (err instanceof ZodError) {
    return {
      kind: 'invalid',
      message: err.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; '),
      issues: err.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: i.message,
      })),
    };
  }
  if (err instanceof ConfigError) return { kind: 'invalid', message: err.message, issues: err.problems };
  if (err instanceof UserError) return { kind: 'user', message: err.message };
  // A request the user cancelled (tasks.cancel) is no internal error.
  // (Its message says 'cancelled', or why it was dropped: superseded by a newer request.)
  if (err instanceof CancelledError) return { kind: 'user', message: err.message };
  // A file system error on a path a request named is the request's problem, not a server bug.
  const onPath = pathErrorMessage(err);
  if (onPath) return { kind: 'user', message: onPath };
  return { kind: 'internal', message: (err as Error)?.message ?? String(err) };
}

/** Validates `raw` for `method` and runs its handler; rejects with a CallFailure. */
export async function dispatch<C>(
  table: HandlerTable<C>,
  method: string,
  raw: unknown,
  ctx: C,
): Promise<unknown> {
  if (!isMethod(method)) throw new CallFailure({ kind: 'invalid', message: `unknown method '${method}'` });
  const parsed = methods[method].request.safeParse(raw ?? {});
  if (!parsed.success) throw new CallFailure(toCallError(parsed.error));
  const handler = table[method] as Handler<Method, C>;
  try {
    return await handler(parsed.data as never, ctx);
  } catch (err) {
    throw new CallFailure(toCallError(err));
  }
}
