/**
 * Relays an upstream reply to the client. A unary answer is read whole (one JSON document) and sent; a
 * stream is re-framed event by event as it arrives, never buffered. Headers of a stream go out with its
 * first event, so a failure before any event is still a plain error response; a failure after it ends the
 * stream with a terminal `{"error":…}` event, never a clean close.
 */
import { once } from 'node:events';
import type { Response } from 'express';
import { errorFromUpstream, GoogleApiError } from '../protocol/errors';
import { contentTypeFor, JSON_CONTENT_TYPE, SseSplitter, StreamEncoder, type StreamFraming } from '../protocol/stream-format';
import type { UpstreamReply } from '../upstream/types';

const MAX_UNARY_BYTES = 64 * 1024 * 1024;
const MAX_ERROR_BYTES = 1024 * 1024;

async function readAll(reply: UpstreamReply, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of reply.body) {
    size += chunk.length;
    if (size > limit) {
      reply.discard();
      throw new GoogleApiError(502, `The upstream answer exceeded ${limit} bytes.`);
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}

/** Turns a non-2xx upstream reply into the error to send (Google's body preserved). */
export async function upstreamErrorOf(reply: UpstreamReply): Promise<GoogleApiError> {
  const text = (await readAll(reply, MAX_ERROR_BYTES).catch(() => Buffer.alloc(0))).toString('utf8');
  return errorFromUpstream(reply.status, text);
}

export async function readUnary(reply: UpstreamReply): Promise<Buffer> {
  return readAll(reply, MAX_UNARY_BYTES);
}

export function sendJsonBytes(res: Response, body: Buffer): void {
  res.status(200).setHeader('content-type', JSON_CONTENT_TYPE);
  res.setHeader('content-length', body.length);
  res.end(body);
}

async function write(res: Response, text: string, signal: AbortSignal): Promise<void> {
  if (!res.write(text)) await once(res, 'drain', { signal });
}

/** One event's data as one line: re-serialised only when upstream spread it over several lines. */
function oneLine(data: string): string {
  return data.includes('\n') ? JSON.stringify(JSON.parse(data)) : data;
}

export interface StreamRelayResult {
  events: number;
  /** The error that ended the stream after its first event, if any. */
  failure?: GoogleApiError;
}

/**
 * Streams events to the client in its framing. Throws (before anything was sent) when the upstream fails
 * before its first event, so the caller can still answer with a status code.
 */
export async function relayStream(res: Response, reply: UpstreamReply, framing: StreamFraming, signal: AbortSignal): Promise<StreamRelayResult> {
  const encoder = new StreamEncoder(framing);
  const splitter = new SseSplitter();
  const send = async (data: string): Promise<void> => {
    if (encoder.count === 0) {
      res.status(200).setHeader('content-type', contentTypeFor(framing));
      res.setHeader('cache-control', 'no-cache');
    }
    await write(res, encoder.event(oneLine(data)), signal);
  };
  try {
    for await (const chunk of reply.body) for (const data of splitter.push(chunk)) await send(data);
    for (const data of splitter.finish()) await send(data);
  } catch (error) {
    const failure = error instanceof GoogleApiError ? error : new GoogleApiError(502, 'The upstream stream was malformed.');
    if (encoder.count === 0) throw failure;
    if (!res.destroyed) res.end(encoder.event(JSON.stringify(failure.toBody())) + encoder.end());
    return { events: encoder.count, failure };
  }
  if (encoder.count === 0) {
    res.status(200).setHeader('content-type', contentTypeFor(framing));
  }
  res.end(encoder.end());
  return { events: encoder.count };
}
