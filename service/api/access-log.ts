/**
 * One access line per request in Cloud Logging's `httpRequest` shape, for every request or only the failed
 * ones (`GATEWAY_ACCESS_LOG`). The URL is logged without its query string (`?key=` would leak an API key)
 * and no header values are logged at all.
 */
import type { AccessLogMode } from '../config/settings';
import type { Logger } from '../telemetry/logger';
import type { HttpMiddleware } from '../telemetry/types';
import { HEALTH_PATH, METRICS_PATH, READINESS_PATH } from '../telemetry/operational-paths';
import { pathOf } from '../protocol/request-target';

/** Probes and metric scrapes arrive every few seconds; their lines would drown the rest. */
const ROUTINE = new Set([HEALTH_PATH, READINESS_PATH, METRICS_PATH]);

/** Lines for the requests `mode` asks for; with `off`, a middleware that only passes the request on. */
export function accessLog(logger: Logger, mode: AccessLogMode): HttpMiddleware {
  if (mode === 'off') return (_req, _res, next) => next();
  const minimumStatus = mode === 'failures' ? 400 : 0;
  return function accessLog(req, res, next) {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      if (status < minimumStatus) return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Read at the end: by then the path is the one routed (double slashes collapsed). A router mounted
      // under a prefix (the OpenAI routes) rewrites `url` to the rest; `originalUrl` keeps the whole path.
      const path = pathOf((req as { originalUrl?: string }).originalUrl ?? req.url);
      const line = {
        httpRequest: {
          requestMethod: req.method,
          requestUrl: path,
          status,
          latency: `${seconds.toFixed(6)}s`,
          remoteIp: req.socket.remoteAddress,
          userAgent: req.headers['user-agent']?.slice(0, 200),
          responseSize: String(res.getHeader('content-length') ?? ''),
        },
      };
      if (status >= 500) logger.warn(line, 'request');
      else if (ROUTINE.has(path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    next();
  };
}
