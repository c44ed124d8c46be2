/**
 * How long to wait before the next attempt: full-jitter exponential backoff (AWS architecture blog,
 * "Exponential Backoff And Jitter"), but never less than what the server asked for — Gemini's
 * `google.rpc.RetryInfo.retryDelay` in the error body, or a `Retry-After` header.
 */
export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/** `attempt` counts from 0 (the wait after the first failure). */
export function backoffDelayMs(attempt: number, serverDelayMs: number | undefined, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  const jittered = options.random() * ceiling;
  return serverDelayMs === undefined ? jittered : Math.max(serverDelayMs, jittered);
}
