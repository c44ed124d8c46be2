/** A wait that ends early — as Google's 499 CANCELLED — when the caller goes away. */
import { GoogleApiError } from '../protocol/errors';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The caller left while the request waited (between attempts, in a queue): nothing was being generated. */
export class CancelledWhileWaiting extends GoogleApiError {
  constructor() {
    super(499, 'The caller cancelled the request while it waited.');
  }
}

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const cancelled = (): void => reject(new CancelledWhileWaiting());
    if (signal.aborted) return cancelled();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      cancelled();
    }, { once: true });
  });
