/**
 * Writes a pipeline answer to the client. A unary answer goes out whole; a stream is framed event by event
 * as it arrives (SSE or a streamed JSON array, as the client asked), never buffered. A stream's headers go
 * out with its first event, so a failure before any event is still a plain error response; a failure
 * after it ends the stream with a terminal `{"error":…}` event, never a clean close.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { GatewayShuttingDown, GoogleApiError } from '../protocol/errors';
import type { DrainDeadline } from './drain-deadline';
import { sendGoogleError } from './render-error';
import { contentTypeFor, JSON_CONTENT_TYPE, StreamEncoder, type StreamFraming } from '../protocol/stream-format';

export function sendJsonBytes(res: ServerResponse, body: Buffer, headers: Record<string, string> = {}): void {
  // Answered already (with a 503 as the gateway shut down): the late answer has nowhere to go.
  if (res.headersSent) return;
  // Set on its own so it can be read back: the access line reports it as the response size.
  res.setHeader('content-length', body.length);
  res.writeHead(200, { ...headers, 'content-type': JSON_CONTENT_TYPE });
  res.end(body);
}

/** Writes a piece of a streamed answer, waiting for the socket to drain when it is full (or the client left). */
export async function writeChunk(res: ServerResponse, text: string, signal: AbortSignal): Promise<void> {
  if (!res.write(text)) await once(res, 'drain', { signal });
}

/**
 * Streams events to the client in its framing. Throws (before anything was sent) when the events fail
 * before the first one, so the caller can still answer with a status code. When `closing` aborts (a
 * shutdown's drain time is up) the stream ends at once with a terminal 503 error event (or, before its
 * first event, a 503 answer): the client knows its answer is incomplete and can retry elsewhere.
 */
export async function writeEvents(
  res: ServerResponse,
  events: AsyncGenerator<string>,
  framing: StreamFraming,
  headers: Record<string, string>,
  signal: AbortSignal,
  closing?: DrainDeadline,
): Promise<void> {
  const encoder = new StreamEncoder(framing);
  const start = (): void => {
    res.writeHead(200, { ...headers, 'content-type': contentTypeFor(framing), 'cache-control': 'no-cache' });
  };
  const endWith = (failure: GoogleApiError): void => {
    if (res.destroyed || res.writableEnded) return;
    if (encoder.count === 0) sendGoogleError(res, failure);
    else res.end(encoder.event(JSON.stringify(failure.toBody())) + encoder.end());
  };
  const stopWatching = closing?.watch(() => endWith(new GatewayShuttingDown()));
  try {
    for await (const event of events) {
      if (res.writableEnded) break;
      if (encoder.count === 0) start();
      await writeChunk(res, encoder.event(event), signal);
    }
  } catch (error) {
    const failure = error instanceof GoogleApiError ? error : new GoogleApiError(502, 'The upstream stream failed.');
    if (encoder.count === 0 && !res.headersSent) throw failure;
    endWith(failure);
    return;
  } finally {
    stopWatching?.();
    // Stops the upstream read when the client left early (the generator's cleanup cancels it).
    if (signal.aborted) await events.return(undefined).catch(() => undefined);
  }
  if (signal.aborted || res.writableEnded) return;
  if (encoder.count === 0) start();
  res.end(encoder.end());
}
