/**
 * The signal that a request's work should stop: its client went away before the response was complete
 * (reason: a 499), or, given `closing`, the drain time of a shutdown is up (reason: GatewayShuttingDown).
 * The reason travels with the cancellation, so a call the gateway cut is not audited as its caller's.
 */
import type { ServerResponse } from 'node:http';
import { GatewayShuttingDown, GoogleApiError } from '../protocol/errors';
import type { DrainDeadline } from './drain-deadline';

export function clientGone(res: ServerResponse, closing?: DrainDeadline): AbortSignal {
  const controller = new AbortController();
  const stopWatching = closing?.watch(() => controller.abort(new GatewayShuttingDown()));
  const socket = res.req.socket;
  let ended = false;
  // The response's 'close', or its connection's: a response queued behind another on a pipelined
  // connection that drops never emits its own, and its watch on `closing` must not outlive it.
  const end = (): void => {
    if (ended) return;
    ended = true;
    stopWatching?.();
    res.off('close', end);
    socket.off('close', end);
    if (!res.writableFinished) controller.abort(new GoogleApiError(499, 'The client closed the connection.'));
  };
  res.once('close', end);
  socket.once('close', end);
  if (res.closed || socket.destroyed) end();
  return controller.signal;
}

/** Whether `signal` ended because the client left (not because the instance is shutting down). */
export function clientLeft(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof GoogleApiError && signal.reason.httpStatus === 499;
}
