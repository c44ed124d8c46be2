/**
 * Shared state (Redis) did not answer and the failure mode is `closed`: the gateway refuses the request
 * (as a Google-shaped 503 UNAVAILABLE) rather than admit it on limits this replica cannot check alone.
 */
export class StateUnavailableError extends Error {
  override readonly name = 'StateUnavailableError';

  constructor(
    /** The store operation that was refused, e.g. `reserve`. */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`shared state (Redis) is unreachable; ${operation} refused because the state failure mode is closed`, options);
  }
}
