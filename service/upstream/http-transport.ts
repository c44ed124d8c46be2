/**
 * The HTTP layer under every upstream: one keep-alive undici pool per process, a deadline per call
 * (headers and body), an idle limit between streamed bytes, cancellation through an AbortSignal, and one
 * mapping from transport failures to Google-shaped errors.
 */
import { Agent, request, errors as undiciErrors } from 'undici';
import { GoogleApiError } from '../protocol/errors';
import type { UpstreamReply } from './types';

export interface TransportOptions {
  timeoutMs: number;
  idleTimeoutMs: number;
  connections: number;
}

/** Why an upstream call failed, as a bounded label (metrics use it as `error.type`). */
export type TransportFailure = 'timeout' | 'idle_timeout' | 'connection_reset' | 'connection_refused' | 'cancelled' | 'transport';

export class UpstreamTransportError extends GoogleApiError {
  constructor(
    readonly failure: TransportFailure,
    httpStatus: number,
    message: string,
  ) {
    super(httpStatus, message);
  }
}

export class HttpTransport {
  private readonly agent: Agent;

  constructor(private readonly options: TransportOptions) {
    this.agent = new Agent({
      connections: options.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.idleTimeoutMs,
    });
  }

  /**
   * `timeoutMs`: a shorter deadline for this call (what is left of its request's); never a longer one.
   * `streamed`: the answer is a stream, so the body is handed over to be let go once sent (`handedOverOnce`).
   */
  async send(url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Uint8Array; streamed?: boolean; signal: AbortSignal; timeoutMs?: number }): Promise<UpstreamReply> {
    const call = new CallDeadline(init.signal, Math.min(init.timeoutMs ?? this.options.timeoutMs, this.options.timeoutMs));
    try {
      const { body: bytes } = init;
      const handOver = init.streamed === true && bytes !== undefined;
      const headers = handOver ? { ...init.headers, 'content-length': String(bytes.byteLength) } : init.headers;
      const sent = handOver ? handedOverOnce(bytes) : bytes;
      const response = await request(url, { method: init.method, headers, body: sent, signal: call.signal, dispatcher: this.agent });
      const contentType = response.headers['content-type'];
      const retryAfter = response.headers['retry-after'];
      const body = translateErrors(response.body, call);
      return {
        status: response.statusCode,
        contentType: Array.isArray(contentType) ? contentType[0] : contentType,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        body,
        discard: () => {
          call.end();
          void response.body.dump().catch(() => undefined);
        },
      };
    } catch (error) {
      call.end();
      throw toUpstreamError(error, init.signal, call);
    }
  }

  /** Ends every connection, cutting calls still running: their callers have been answered by then (see the gateway's shutdown). */
  close(): Promise<void> {
    return this.agent.destroy();
  }
}

/**
 * One call's cancellation: the caller's signal or the deadline, whichever comes first. Its timer is
 * cleared and its listener removed as soon as the call ends. (`AbortSignal.timeout` would keep a timer for
 * the whole deadline after every call, hundreds of thousands of them at a few thousand calls a second, and
 * `AbortSignal.any` registers weak references on every source: both showed up in the profile's
 * garbage collection.)
 */
class CallDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = (): void => this.controller.abort(this.caller.reason);
  /** True once the deadline, not the caller, ended the call. */
  aborted = false;

  constructor(
    readonly caller: AbortSignal,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.controller.abort(new Error('deadline'));
    }, timeoutMs).unref();
    if (caller.aborted) this.onCallerAbort();
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  end(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}

/**
 * A request body undici lets go of once it is sent. Given bytes, undici keeps them on its request until the
 * response has ended, which for a stream is as long as the model keeps answering: one copy of every
 * prompt in flight, needed by nothing (a retry sends the body anew). An iterable is read once and then holds
 * nothing. The length is declared with it (`content-length`), so the body is not sent chunked. Only for
 * streamed answers: a unary answer is complete when it is read, and undici's writer for iterables costs
 * more CPU per call than its writer for bytes.
 *
 * Iterables are the way undici's own `fetch()` hands bodies to the dispatcher; the types of `request()` do
 * not list them, hence the cast.
 */
function handedOverOnce(bytes: Uint8Array): Uint8Array {
  let pending: Uint8Array | undefined = bytes;
  const iterable: Iterable<Uint8Array> = {
    [Symbol.iterator]: () => ({
      next: (): IteratorResult<Uint8Array> => {
        const value = pending;
        pending = undefined;
        return value ? { value, done: false } : { value: undefined, done: true };
      },
    }),
  };
  return iterable as unknown as Uint8Array;
}

async function* translateErrors(body: AsyncIterable<Uint8Array>, call: CallDeadline): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw toUpstreamError(error, call.caller, call);
  } finally {
    call.end();
  }
}

/** `deadline.aborted`: the call's deadline ended it. */
export function toUpstreamError(error: unknown, caller: AbortSignal, deadline: { readonly aborted: boolean }): GoogleApiError {
  if (error instanceof GoogleApiError) return error;
  if (caller.aborted) return new UpstreamTransportError('cancelled', 499, 'The caller cancelled the request.');
  if (deadline.aborted || error instanceof undiciErrors.HeadersTimeoutError) {
    return new UpstreamTransportError('timeout', 504, 'Deadline expired before the upstream model answered.');
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamTransportError('idle_timeout', 504, 'The upstream model stopped sending data before the answer was complete.');
  }
  const code = (error as { code?: string } | null)?.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new UpstreamTransportError('connection_refused', 503, 'The upstream model service could not be reached.');
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') {
    return new UpstreamTransportError('connection_reset', 503, 'The connection to the upstream model service was reset.');
  }
  return new UpstreamTransportError('transport', 502, 'The upstream model service failed to answer.');
}
