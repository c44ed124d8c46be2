/**
 * The one place errors become HTTP responses on the Gemini surface: Google's JSON shape, always with
 * `Content-Type: application/json`, never a stack trace or an HTML page.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../telemetry/logger';
import { GoogleApiError } from '../protocol/errors';
import { JSON_CONTENT_TYPE } from '../protocol/stream-format';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Maps what Express's body reader throws to Google's errors. */
function fromBodyReader(error: BodyParserError): GoogleApiError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new GoogleApiError(413, `Request payload size exceeds the limit: ${error.limit ?? 0} bytes.`, { status: 'INVALID_ARGUMENT' });
    case 'request.aborted':
      return new GoogleApiError(499, 'The client closed the request before the body was received.');
    case 'request.size.invalid':
      return new GoogleApiError(400, 'The request body length does not match its Content-Length.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new GoogleApiError(415, 'The request body encoding is not supported; send uncompressed UTF-8 JSON.', { status: 'INVALID_ARGUMENT' });
    default:
      // Anything else the body reader refuses (e.g. a `Content-Encoding: gzip` body that is not gzip) is
      // the client's fault: keep its 4xx status.
      return typeof error.status === 'number' && error.status >= 400 && error.status < 500
        ? new GoogleApiError(error.status, 'The request body could not be read.', { status: 'INVALID_ARGUMENT' })
        : undefined;
  }
}

export function toGoogleError(error: unknown): GoogleApiError {
  if (error instanceof GoogleApiError) return error;
  const fromReader = typeof error === 'object' && error !== null ? fromBodyReader(error) : undefined;
  return fromReader ?? new GoogleApiError(500, 'Internal error in the gateway.');
}

export function sendGoogleError(res: ServerResponse, error: GoogleApiError): void {
  // Already answered (a shutdown's drain time ended it): nothing more to say, and its bytes may still be on the way.
  if (res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Google's SDKs read RetryInfo from the body; other HTTP clients read Retry-After.
  const retryAfter = error.retryDelaySeconds();
  if (retryAfter !== undefined) res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  const body = JSON.stringify(error.toBody());
  // Set on its own so it can be read back: the access line reports it as the response size.
  res.setHeader('content-length', Buffer.byteLength(body));
  // The content type Google's own errors carry, the same as every JSON answer here.
  res.writeHead(error.httpStatus, { 'content-type': JSON_CONTENT_TYPE });
  res.end(body);
}

/** Answers any thrown value in Google's shape; one the gateway did not expect (a 500) is logged, with the path only. */
export function renderError(error: unknown, res: ServerResponse, logger: Logger, path: string): void {
  const apiError = toGoogleError(error);
  if (apiError.httpStatus >= 500 && !(error instanceof GoogleApiError)) {
    logger.error({ err: error, path }, 'unhandled error in a request');
  }
  sendGoogleError(res, apiError);
}

export function errorRenderer(logger: Logger): ErrorRequestHandler {
  return function renderErrorOfRoute(error: unknown, req, res, _next) {
    renderError(error, res, logger, req.path);
  };
}

export const notFoundHandler: RequestHandler = function notFound(req, res) {
  sendGoogleError(res, new GoogleApiError(404, `The requested URL ${req.path.slice(0, 200)} was not found on this server.`));
};
