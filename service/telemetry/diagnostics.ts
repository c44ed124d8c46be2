/**
 * OpenTelemetry's own diagnostics (`diag`: an exporter that cannot reach its collector, spans dropped from a
 * full queue, a metrics listener that could not bind, a recording that failed) written to the gateway's log
 * at WARNING and above. OpenTelemetry's diagnostics go nowhere until a process gives them a logger, so a
 * broken telemetry setup was silent. `diag` is process-wide: the process (`main.ts`) installs this, once.
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { Logger } from 'pino';

/** Extra arguments of a diagnostic: errors by class and message, anything else as itself. */
function detailOf(args: unknown[]): unknown {
  const details = args.map((arg) => (arg instanceof Error ? { type: arg.name, message: arg.message } : arg));
  return details.length === 1 ? details[0] : details;
}

export function logTelemetryDiagnostics(logger: Logger): void {
  const quiet = (): void => undefined;
  const diagnostics: DiagLogger = {
    error: (message, ...args) => logger.error(args.length > 0 ? { detail: detailOf(args) } : {}, `opentelemetry: ${message}`),
    warn: (message, ...args) => logger.warn(args.length > 0 ? { detail: detailOf(args) } : {}, `opentelemetry: ${message}`),
    info: quiet,
    debug: quiet,
    verbose: quiet,
  };
  diag.setLogger(diagnostics, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}
