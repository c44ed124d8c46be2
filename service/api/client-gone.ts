/**
 * The signal that a request's work should stop: its client went away before the response was complete
 * (reason: a 499), or, given `closing`, the drain time of a shutdown is up (reason: `closing`'s, a 503). The
 * reason travels with the cancellation, so a call the gateway cut is not audited as its caller's.
 */
import type { ServerResponse } from 'node:http';
import { GoogleApiError } from '../protocol/errors';

export function clientGone(res: ServerResponse, closing?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const cut = (): void => controller.abort(closing?.reason);
  closing?.addEventListener('abort', cut, { once: true });
  res.once('close', () => {
    closing?.removeEventListener('abort', cut);
    if (!res.writableFinished) controller.abort(new GoogleApiError(499, 'The client closed the connection.'));
  });
  return controller.signal;
}

/** Whether `signal` ended because the client left (not because the instance is shutting down). */
export function clientLeft(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof GoogleApiError && signal.reason.httpStatus === 499;
}
