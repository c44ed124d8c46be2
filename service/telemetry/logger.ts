/**
 * JSON logs for Cloud Logging: `severity` instead of pino's numeric level, `message` instead of `msg`, and
 * redaction of every field that could carry a credential, so a key never reaches a log line by accident.
 */
import pino, { type Logger } from 'pino';

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      messageKey: 'message',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
