/**
 * Reading an upstream reply: a unary body whole (bounded), an error body into Google's error shape (with
 * the delay the server asked for), and a stream as its events, one JSON document each, as they arrive;
 * answers rewritten for the caller's dialect when the upstream asks (`reply.rewrite`).
 */
import { errorFromUpstream, GoogleApiError } from '../protocol/errors';
import { isErrorEvent, SseSplitter } from '../protocol/stream-format';
import type { AnswerRewrite, UpstreamReply } from './types';

const MAX_UNARY_BYTES = 64 * 1024 * 1024;
const MAX_ERROR_BYTES = 1024 * 1024;

/** An error answer from the upstream (status ≥ 400), with the wait it asked for, if any. */
export class UpstreamRejection extends GoogleApiError {
  constructor(
    source: GoogleApiError,
    /** From RetryInfo in the body, else the Retry-After header. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(source.httpStatus, source.message, { status: source.status, details: source.details });
  }
}

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

function retryAfterHeaderMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export async function rejectionOf(reply: UpstreamReply, nowMs = Date.now()): Promise<UpstreamRejection> {
  const text = (await readAll(reply, MAX_ERROR_BYTES).catch(() => Buffer.alloc(0))).toString('utf8');
  const error = errorFromUpstream(reply.status, text);
  const fromBody = error.retryDelaySeconds();
  return new UpstreamRejection(error, fromBody !== undefined ? fromBody * 1000 : retryAfterHeaderMs(reply.retryAfter, nowMs));
}

/**
 * A stream's event that is an error (`{"error":…}`), as the rejection it would have been had the upstream
 * sent it as the status: its own code when that is an error status, else 502. Undefined for any other event.
 */
export function rejectionOfEvent(event: string): UpstreamRejection | undefined {
  if (!isErrorEvent(event)) return undefined;
  let code: unknown;
  try {
    code = (JSON.parse(event) as { error?: { code?: unknown } }).error?.code;
  } catch {
    code = undefined;
  }
  const error = errorFromUpstream(typeof code === 'number' && code >= 400 && code <= 599 ? code : 502, event);
  const delaySeconds = error.retryDelaySeconds();
  return new UpstreamRejection(error, delaySeconds !== undefined ? delaySeconds * 1000 : undefined);
}

export function readUnary(reply: UpstreamReply): Promise<Buffer> {
  const { rewrite } = reply;
  const whole = readAll(reply, MAX_UNARY_BYTES);
  // Only a reply to be rewritten takes a step more; the common one is read as it was.
  return rewrite ? whole.then((body) => Buffer.from(rewrite(body.toString('utf8')))) : whole;
}

/** One event's data as one line: re-serialised only when the upstream spread it over several lines. */
function oneLine(data: string): string {
  return data.includes('\n') ? JSON.stringify(JSON.parse(data)) : data;
}

/** The events of an SSE reply, in order, as they arrive. */
export async function* eventsOf(reply: UpstreamReply): AsyncGenerator<string> {
  const splitter = new SseSplitter();
  const event = reply.rewrite ? (data: string) => (reply.rewrite as AnswerRewrite)(oneLine(data)) : oneLine;
  for await (const chunk of reply.body) for (const data of splitter.push(chunk)) yield event(data);
  for (const data of splitter.finish()) yield event(data);
}
