/**
 * OpenTelemetry's own diagnostics (`diag`: an exporter that cannot reach its collector, spans dropped from a
 * full queue, a metrics listener that could not bind, a recording that failed) written to the gateway's log
 * at WARNING and above, each the same one at most once a minute. OpenTelemetry's diagnostics go nowhere
 * until a process gives them a logger, so a broken telemetry setup was silent. `diag` is process-wide: the
 * process (`main.ts`) installs this, once.
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { Logger } from 'pino';

/** Extra arguments of a diagnostic: errors by class and message, anything else as itself. */
function detailOf(args: unknown[]): unknown {
  const details = args.map((arg) => (arg instanceof Error ? { type: arg.name, message: arg.message } : arg));
  return details.length === 1 ? details[0] : details;
}

/**
 * The same diagnostic is written at most once a minute: an exporter that Google (or a collector) keeps
 * refusing fails every export, several a second, and each line would cost log volume and bury the rest.
 * The line after a quiet spell says how many it stood for.
 */
export const DIAGNOSTIC_REPEAT_MS = 60_000;
/** Distinct diagnostics remembered; beyond it the oldest is forgotten (and may be written again). */
const DIAGNOSTICS_REMEMBERED = 100;

type Write = (message: string, args: unknown[], repeats: number) => void;

function onceInAWhile(write: Write, now: () => number = Date.now): (message: string, ...args: unknown[]) => void {
  const seen = new Map<string, { atMs: number; repeats: number }>();
  return (message, ...args) => {
    const atMs = now();
    const last = seen.get(message);
    if (last && atMs - last.atMs < DIAGNOSTIC_REPEAT_MS) {
      last.repeats++;
      return;
    }
    seen.delete(message);
    seen.set(message, { atMs, repeats: 0 });
    if (seen.size > DIAGNOSTICS_REMEMBERED) seen.delete(seen.keys().next().value!);
    write(message, args, last?.repeats ?? 0);
  };
}

export function logTelemetryDiagnostics(logger: Logger, now: () => number = Date.now): void {
  const quiet = (): void => undefined;
  const fields = (args: unknown[], repeats: number): Record<string, unknown> => ({
    ...(args.length > 0 ? { detail: detailOf(args) } : {}),
    ...(repeats > 0 ? { repeatedSinceLastLine: repeats } : {}),
  });
  const diagnostics: DiagLogger = {
    error: onceInAWhile((message, args, repeats) => logger.error(fields(args, repeats), `opentelemetry: ${message}`), now),
    warn: onceInAWhile((message, args, repeats) => logger.warn(fields(args, repeats), `opentelemetry: ${message}`), now),
    info: quiet,
    debug: quiet,
    verbose: quiet,
  };
  diag.setLogger(diagnostics, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}
