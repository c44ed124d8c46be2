/**
 * JSON logs for Cloud Logging: `severity` instead of pino's numeric level, `message` instead of `msg`, and
 * redaction of every field that could carry a credential, so a key never reaches a log line by accident.
 * Given a project id, every line written inside a span also carries the trace fields Cloud Logging uses to
 * link a log line to its trace (`logging.googleapis.com/trace`, `…/spanId`, `…/trace_sampled`).
 */
import { TraceFlags } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { activeSpanContext } from './context-store';

export type { Logger } from 'pino';

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** Paths pino replaces with `[redacted]` wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'apiKey',
  'key',
  'authorization',
  '*.apiKey',
  '*.authorization',
  'headers.authorization',
  'headers["x-goog-api-key"]',
  '*.headers.authorization',
  '*.headers["x-goog-api-key"]',
];

/** The Cloud Logging special fields that tie a log line to a trace and span. */
export interface TraceFields {
  'logging.googleapis.com/trace'?: string;
  'logging.googleapis.com/spanId'?: string;
  'logging.googleapis.com/trace_sampled'?: boolean;
}

/** Trace fields for the active span (`{}` outside a span): `projects/<project>/traces/<32 hex>`, 16-hex span id. */
export function traceFields(projectId: string): TraceFields {
  const span = activeSpanContext();
  if (!span) return {};
  return {
    'logging.googleapis.com/trace': `projects/${projectId}/traces/${span.traceId}`,
    'logging.googleapis.com/spanId': span.spanId,
    'logging.googleapis.com/trace_sampled': (span.traceFlags & TraceFlags.SAMPLED) !== 0,
  };
}

let formattedAtMs = Number.NaN;
let formatted = '';

/**
 * pino's `isoTime`, formatted at most once per millisecond: a busy gateway writes several lines in each
 * (an access and an audit line per request), and formatting the date was a tenth of writing a line.
 */
export function isoTimeOncePerMs(): string {
  const now = Date.now();
  if (now !== formattedAtMs) {
    formattedAtMs = now;
    formatted = `,"time":"${new Date(now).toISOString()}"`;
  }
  return formatted;
}

export interface LoggerOptions {
  /** The Google Cloud project traces are exported to; enables the trace fields on every line. */
  traceProjectId?: string;
}

/** Lines are written once this many bytes are pending… */
const LOG_WRITE_BYTES = 4096;
/** …or this often, whichever comes first: a line reaches standard output at most this late. */
const LOG_FLUSH_MS = 200;

/** Standard output destinations made, each flushed when the process exits. */
const flushedAtExit: Array<{ flush(): void }> = [];

/**
 * Standard output, written synchronously in batches (see `createLogger`). Its pending lines are written when
 * the process exits, `process.exit` and an uncaught exception included: pino does that itself only for an
 * asynchronous destination, and a failure's last lines are the ones an operator needs.
 *
 * With `flush`, not `flushSync`: that one retries any failed write every 100 ms for as long as it fails,
 * so a process whose log reader had gone (a closed pipe: EPIPE) would never exit. `flush` gives up on such
 * an error; it still waits out a reader that is there but slow (EAGAIN), as every write does.
 */
function standardOutput(): pino.DestinationStream {
  const destination = pino.destination({ dest: 1, sync: true, minLength: LOG_WRITE_BYTES, periodicFlush: LOG_FLUSH_MS });
  if (flushedAtExit.length === 0) {
    process.once('exit', () => {
      for (const pending of flushedAtExit) {
        try {
          pending.flush();
        } catch {
          // Standard output is gone (a closed pipe): nothing more can be written anywhere.
        }
      }
    });
  }
  flushedAtExit.push(destination);
  return destination;
}

/**
 * Logs go to `destination`, by default standard output in batches: a few KB or 200 ms of lines per write,
 * so a request seldom pays for a write at all.
 *
 * The writes are synchronous, as Node's own writes to a standard output that is a pipe are on Linux. An
 * asynchronous write is a hand-off to libuv's thread pool and back, and the lines that arrive meanwhile are
 * joined onto a string that is copied again with each one. In three interleaved A/Bs of the benchmark's
 * gateway (8 rounds each) that cost 11, 11 and 6 µs per request: 4–5% of a cache miss's CPU and of a hit's.
 * A log reader that stops reading then holds the gateway back, instead of letting pending lines fill its
 * memory. What is pending is written when the process exits (`standardOutput`).
 */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = standardOutput(),
  options: LoggerOptions = {},
): Logger {
  const { traceProjectId } = options;
  return pino(
    {
      level,
      ...(traceProjectId ? { mixin: () => ({ ...traceFields(traceProjectId) }) } : {}),
      messageKey: 'message',
      base: undefined,
      timestamp: isoTimeOncePerMs,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * A child for lines built field by field from typed records (the access and audit lines, one of each per
 * request): no redaction path can match their fields, so they skip the redaction pass, which would cost
 * them about four times the rest of writing the line. Trace fields and severity stay as on every line.
 */
export function typedRecordLogger(logger: Logger, bindings: Record<string, string> = {}, level?: string): Logger {
  return logger.child(bindings, { redact: [], ...(level !== undefined && { level }) });
}

/**
 * The audit trail's logger: one line per model call (`logName: "audit"`), written at every `LOG_LEVEL` but
 * `silent`. The level filters diagnostics; an operator who quiets the log to `warn` must not lose the record
 * of who called which model and what it cost.
 */
export function auditLogger(logger: Logger): Logger {
  return typedRecordLogger(logger, { logName: 'audit' }, logger.level === 'silent' ? 'silent' : 'info');
}
