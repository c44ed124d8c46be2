/** What the gateway asks of a Gemini upstream, whichever backend serves it. */
import type { ApiVersion, ModelCollection, ModelMethod, PathDialect } from '../protocol/paths';

export type BackendKind = 'ai-studio' | 'vertex';

/** One model call: which model and method, in which API version, with the JSON body as bytes. */
export interface UpstreamCall {
  version: ApiVersion;
  /** The caller's: an upstream of the other dialect translates what differs. */
  dialect: PathDialect;
  collection: ModelCollection;
  model: string;
  method: ModelMethod;
  body: Uint8Array;
  signal: AbortSignal;
  /** What is left of the request's deadline, when it ends before the transport's own deadline per call. */
  timeoutMs?: number;
}

/** A models list or get. */
export interface UpstreamModelsQuery {
  version: ApiVersion;
  /** The caller's: an upstream of the other dialect renames what differs. */
  dialect: PathDialect;
  collection: ModelCollection;
  model?: string;
  pageSize?: string;
  pageToken?: string;
  signal: AbortSignal;
}

/** Rewrites one JSON answer (a unary body, a stream event, a models page) for the caller's dialect. */
export type AnswerRewrite = (json: string) => string;

export interface UpstreamReply {
  status: number;
  contentType: string | undefined;
  /** The `Retry-After` header, as sent (seconds or an HTTP date). */
  retryAfter: string | undefined;
  body: AsyncIterable<Uint8Array>;
  /** Releases the connection when the body will not be read to its end. */
  discard(): void;
  /** Applied to a successful answer (the unary body, each stream event) when the caller's dialect is not the upstream's. */
  rewrite?: AnswerRewrite;
}

export interface Upstream {
  readonly backend: BackendKind;
  /** Streaming calls are always made with `alt=sse`; the gateway re-frames for the client. */
  call(call: UpstreamCall): Promise<UpstreamReply>;
  models(query: UpstreamModelsQuery): Promise<UpstreamReply>;
  ready(): boolean;
  /** Which credential calls go out with (a key fingerprint or `adc`): breakers are kept per credential. */
  credentialId(): string;
  /** Closes its connections at shutdown, cutting calls still running (the gateway has answered their callers). */
  close(): Promise<void>;
}
