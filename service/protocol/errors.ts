/**
 * Google's error model as the Gemini REST API sends it: `{"error":{"code","message","status","details"}}`.
 * Every failure the gateway or the emulator produces goes out through `GoogleApiError`, so the official SDKs
 * raise the same error classes they raise for the real API.
 */

/** The canonical gRPC status names Google pairs with each HTTP status (google.rpc.Code). */
export const CANONICAL_STATUS = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  415: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  431: 'INVALID_ARGUMENT',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
} as const satisfies Record<number, string>;

export type HttpErrorStatus = keyof typeof CANONICAL_STATUS;

/** A `google.rpc` detail: `@type` plus whatever fields that type carries. */
export interface ErrorDetail {
  '@type': string;
  [field: string]: unknown;
}

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    details?: ErrorDetail[];
  };
}

export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
export const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

export function canonicalStatusFor(httpStatus: number): string {
  return (CANONICAL_STATUS as Record<number, string>)[httpStatus] ?? (httpStatus >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

/** Formats seconds the way Google writes a `google.protobuf.Duration` in JSON: `"7s"`, `"0.250s"`. */
export function formatDuration(seconds: number): string {
  const rounded = Math.max(0, Math.round(seconds * 1000) / 1000);
  return Number.isInteger(rounded) ? `${rounded}s` : `${rounded.toFixed(3)}s`;
}

/** Reads a `google.protobuf.Duration` string (`"45.837906927s"`) as seconds; undefined when malformed. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}

export function retryInfo(retryAfterSeconds: number): ErrorDetail {
  return { '@type': RETRY_INFO_TYPE, retryDelay: formatDuration(retryAfterSeconds) };
}

/** The one error type thrown inside the gateway and the emulator; rendered in one place per surface. */
export class GoogleApiError extends Error {
  readonly httpStatus: number;
  readonly status: string;
  readonly details: ErrorDetail[] | undefined;

  constructor(httpStatus: number, message: string, options: { status?: string; details?: ErrorDetail[] } = {}) {
    super(message);
    this.name = 'GoogleApiError';
    this.httpStatus = httpStatus;
    this.status = options.status ?? canonicalStatusFor(httpStatus);
    this.details = options.details;
  }

  toBody(): GoogleErrorBody {
    const error: GoogleErrorBody['error'] = { code: this.httpStatus, message: this.message, status: this.status };
    if (this.details && this.details.length > 0) error.details = this.details;
    return { error };
  }

  /** Seconds from the first RetryInfo detail, if any. */
  retryDelaySeconds(): number | undefined {
    const detail = this.details?.find((d) => d['@type'] === RETRY_INFO_TYPE);
    return detail ? parseDuration(detail.retryDelay) : undefined;
  }
}

export const invalidArgument = (message: string, details?: ErrorDetail[]): GoogleApiError =>
  new GoogleApiError(400, message, { details });
export const notFound = (message: string): GoogleApiError => new GoogleApiError(404, message);

/**
 * Reads an upstream error body. A Google-shaped body is kept as it is; anything else (an HTML page from a
 * proxy, plain text, nothing) becomes a Google-shaped error with the same HTTP status, so a client never
 * sees a foreign format.
 */
export function errorFromUpstream(httpStatus: number, bodyText: string): GoogleApiError {
  try {
    const parsed = JSON.parse(bodyText) as unknown;
    const candidate: unknown = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
    const error = (candidate as Partial<GoogleErrorBody> | null)?.error;
    if (error && typeof error.message === 'string') {
      return new GoogleApiError(httpStatus, error.message, {
        status: typeof error.status === 'string' ? error.status : undefined,
        details: Array.isArray(error.details) ? error.details : undefined,
      });
    }
  } catch {
    // not JSON: fall through to the generic wrapper
  }
  return new GoogleApiError(httpStatus, `Upstream answered HTTP ${httpStatus} without a Google error body.`);
}

/**
 * The Gemini API's tuned models (`tunedModels/…`) live in AI Studio; Vertex AI has no counterpart (it serves
 * tuned models from endpoints). `resource`: what was asked for, e.g. `tunedModels/my-model`.
 */
export function tunedModelsNotOnVertex(resource: string): GoogleApiError {
  return new GoogleApiError(400, `${resource} is a tuned model of the Gemini API (AI Studio), and this gateway calls Vertex AI, which serves tuned models from endpoints: call projects/…/locations/…/endpoints/{id} instead.`, {
    status: 'FAILED_PRECONDITION',
  });
}

/** A stream the upstream ended cleanly before the answer it had begun gave its finish reason. */
export function streamEndedMidAnswer(): GoogleApiError {
  return new GoogleApiError(502, 'The upstream model ended the stream before the answer was complete.', { status: 'UNAVAILABLE' });
}

/**
 * The gateway instance is shutting down and its drain time is up: what a call still in flight ends with
 * (retryable, on another instance). A class of its own, so accounting can tell the gateway's cut from the
 * upstream's failure and from the caller's leaving.
 */
export class GatewayShuttingDown extends GoogleApiError {
  constructor() {
    super(503, 'This gateway instance is shutting down; retry the request.', { status: 'UNAVAILABLE' });
  }
}

/**
 * Why a cancelled request stopped, as an error of its own (never the signal's reason object itself, which
 * many requests share): the gateway shutting down, or else the caller's leaving (499).
 */
export function cancellationOf(signal: AbortSignal, callerLeft = 'The caller cancelled the request.'): GoogleApiError {
  return signal.reason instanceof GatewayShuttingDown ? new GatewayShuttingDown() : new GoogleApiError(499, callerLeft);
}
