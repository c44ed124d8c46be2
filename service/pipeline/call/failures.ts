/** Which upstream failures are worth another attempt, which count against a breaker, and their labels. */
import { GoogleApiError } from '../../protocol/errors';
import { UpstreamTransportError } from '../../upstream/http-transport';

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamTransportError) return error.failure !== 'cancelled';
  return error instanceof GoogleApiError && RETRYABLE_STATUS.has(error.httpStatus);
}

/** Server-side failures open a breaker; a 429 is quota, handled by throttling, not a broken model. */
export function isBreakerFailure(error: unknown): boolean {
  return isRetryable(error) && !(error instanceof GoogleApiError && error.httpStatus === 429);
}

/** A bounded `error.type`: the transport failure, or `http_<status>`. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof UpstreamTransportError) return error.failure;
  if (error instanceof GoogleApiError) return `http_${error.httpStatus}`;
  return 'internal';
}
