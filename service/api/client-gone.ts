/** The signal that a request's client went away before its response was complete. */
import type { ServerResponse } from 'node:http';
import { GoogleApiError } from '../protocol/errors';

export function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new GoogleApiError(499, 'The client closed the connection.'));
  });
  return controller.signal;
}
