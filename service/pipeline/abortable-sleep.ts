/** A wait that ends early — as Google's 499 CANCELLED — when the caller goes away. */
import { GoogleApiError } from '../protocol/errors';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The caller left while the request waited (between attempts, in a queue): nothing was being generated. */
export class CancelledWhileWaiting extends GoogleApiError {
  constructor() {
    super(499, 'The caller cancelled the request while it waited.');
  }
}

/**
 * The abort listener goes when the wait ends either way: a request that waits many times (an admission queue
 * polls its slot) must not pile one up per wait on its signal.
 */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledWhileWaiting());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledWhileWaiting());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
