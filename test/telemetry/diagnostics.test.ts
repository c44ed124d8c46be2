/**
 * OpenTelemetry's diagnostics in the gateway's log: each at WARNING and above, and the same one at most once
 * a minute (an exporter refused at every export would otherwise write several lines a second), the next
 * line saying how many it stood for.
 */
import { diag } from '@opentelemetry/api';
import { DIAGNOSTIC_REPEAT_MS, logTelemetryDiagnostics } from '../../service/telemetry/diagnostics';
import { createLogger } from '../../service/telemetry/logger';
import { logLines } from '../support/log-lines';

afterEach(() => diag.disable());

test('the same diagnostic is written once a minute, then with the count of those it stood for', () => {
  const { stream, lines } = logLines();
  let nowMs = 1_000_000;
  logTelemetryDiagnostics(createLogger('info', stream), () => nowMs);
  const refused = new Error('PERMISSION_DENIED: telemetry.traces.write');

  for (let i = 0; i < 5; i++) {
    diag.error('export failed', refused);
    nowMs += 200;
  }
  // Another diagnostic is not held back by the first.
  diag.warn('dropped 3 spans: the queue is full');
  diag.info('not written: below WARNING');
  nowMs += DIAGNOSTIC_REPEAT_MS;
  diag.error('export failed', refused);

  expect(lines.map(({ severity, message, detail, repeatedSinceLastLine }) => ({ severity, message, detail, repeatedSinceLastLine }))).toEqual([
    { severity: 'ERROR', message: 'opentelemetry: export failed', detail: { type: 'Error', message: refused.message }, repeatedSinceLastLine: undefined },
    { severity: 'WARNING', message: 'opentelemetry: dropped 3 spans: the queue is full', detail: undefined, repeatedSinceLastLine: undefined },
    { severity: 'ERROR', message: 'opentelemetry: export failed', detail: { type: 'Error', message: refused.message }, repeatedSinceLastLine: 4 },
  ]);
});
