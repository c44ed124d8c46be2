/**
 * Shared state (Redis) did not answer and the failure mode is `closed`: the gateway refuses the request as a
 * Google-shaped 503 UNAVAILABLE rather than admit it on limits this replica cannot check alone. Being a
 * `GoogleApiError`, it is rendered as such on every surface (Gemini and OpenAI) and never logged as a crash.
 */
import { GoogleApiError } from '../protocol/errors';

export class StateUnavailableError extends GoogleApiError {
  override readonly name = 'StateUnavailableError';

  constructor(
    /** The store operation that was refused, e.g. `reserve`. */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(503, 'The gateway cannot reach its shared state store and is configured to refuse rather than guess; retry shortly.');
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
