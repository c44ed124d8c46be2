/**
 * One access line per request in Cloud Logging's `httpRequest` shape. The URL is logged without its query
 * string (`?key=` would leak an API key) and no header values are logged at all.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../telemetry/logger';

/** Probes arrive every few seconds; their lines would drown the rest. */
const PROBES = new Set(['/healthz', '/readyz']);

export function accessLog(logger: Logger): RequestHandler {
  return function accessLog(req, res, next) {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? res.statusCode : 499;
      const line = {
        httpRequest: {
          requestMethod: req.method,
          requestUrl: req.path,
          status,
          latency: `${seconds.toFixed(6)}s`,
          remoteIp: req.socket.remoteAddress,
          userAgent: req.headers['user-agent']?.slice(0, 200),
          responseSize: String(res.getHeader('content-length') ?? ''),
        },
      };
      if (status >= 500) logger.warn(line, 'request');
      else if (PROBES.has(req.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    next();
  };
}
