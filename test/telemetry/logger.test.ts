/** Log lines carry Cloud Logging's trace fields for the active span, and only inside one; standard output loses none at exit. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createTelemetry } from '../../service/telemetry/create';
import { auditLogger, createLogger, isoTimeOncePerMs, traceFields, typedRecordLogger } from '../../service/telemetry/logger';
import { logLines } from '../support/log-lines';

test('inside a span: trace, spanId and trace_sampled; outside: nothing', async () => {
  const telemetry = createTelemetry({ serviceName: 'g', serviceVersion: 't', tracesExporter: 'memory', sampleRatio: 1, spanExporter: new InMemorySpanExporter() });
  const { stream, lines } = logLines();
  const logger = createLogger('info', stream, { traceProjectId: 'acme-prod' });
  let inside: ReturnType<typeof traceFields> = {};
  await telemetry.tracing.inSpan('middleware - log', {}, () => {
    inside = telemetry.traceFields('acme-prod');
    logger.info({ key: 'AIzaSyA-secret' }, 'inside');
    return Promise.resolve();
  });
  logger.info('outside');
  await telemetry.shutdown();

  expect(inside).toEqual({
    'logging.googleapis.com/trace': expect.stringMatching(/^projects\/acme-prod\/traces\/[0-9a-f]{32}$/),
    'logging.googleapis.com/spanId': expect.stringMatching(/^[0-9a-f]{16}$/),
    'logging.googleapis.com/trace_sampled': true,
  });
  expect(lines).toEqual([
    { severity: 'INFO', time: expect.any(String), ...inside, key: '[redacted]', message: 'inside' },
    { severity: 'INFO', time: expect.any(String), message: 'outside' },
  ]);
  expect(traceFields('acme-prod')).toEqual({});
});

test('createLogger(level, destination) still works without trace fields', () => {
  const { stream, lines } = logLines();
  createLogger('warn', stream).warn('careful');
  expect(lines).toEqual([{ severity: 'WARNING', time: expect.any(String), message: 'careful' }]);
});

test('a typed-record logger keeps severity, time, bindings and trace fields; only the redaction pass is skipped', async () => {
  const telemetry = createTelemetry({ serviceName: 'g', serviceVersion: 't', tracesExporter: 'memory', sampleRatio: 1, spanExporter: new InMemorySpanExporter() });
  const { stream, lines } = logLines();
  const logger = createLogger('info', stream, { traceProjectId: 'acme-prod' });
  await telemetry.tracing.inSpan('middleware - log', {}, () => {
    typedRecordLogger(logger, { logName: 'audit' }).info({ audit: { caller: 'team-a', status: 200 } }, 'audit');
    return Promise.resolve();
  });
  await telemetry.shutdown();
  expect(lines).toEqual([
    {
      severity: 'INFO',
      time: expect.any(String),
      'logging.googleapis.com/trace': expect.stringMatching(/^projects\/acme-prod\/traces\//),
      'logging.googleapis.com/spanId': expect.any(String),
      'logging.googleapis.com/trace_sampled': true,
      logName: 'audit',
      audit: { caller: 'team-a', status: 200 },
      message: 'audit',
    },
  ]);
});

test.each(['warn', 'error', 'fatal', 'info', 'debug'])('at LOG_LEVEL=%s the audit line is written; diagnostics follow the level', (level) => {
  const { stream, lines } = logLines();
  const logger = createLogger(level, stream);
  auditLogger(logger).info({ audit: { caller: 'team-a', status: 200 } }, 'audit');
  logger.info('an info diagnostic');
  const infoShown = level === 'info' || level === 'debug';
  expect(lines.map((l) => l.message)).toEqual(infoShown ? ['audit', 'an info diagnostic'] : ['audit']);
  expect(lines[0]).toMatchObject({ severity: 'INFO', logName: 'audit', audit: { caller: 'team-a', status: 200 } });
});

test('at LOG_LEVEL=silent nothing is written, audit lines included', () => {
  const { stream, lines } = logLines();
  auditLogger(createLogger('silent', stream)).info({ audit: { caller: 'team-a' } }, 'audit');
  expect(lines).toEqual([]);
});

test('every line carries its ISO time; lines in one millisecond share one formatting of it', () => {
  const now = jest.spyOn(Date, 'now');
  try {
    now.mockReturnValue(Date.UTC(2026, 10, 22, 7, 59, 33, 123));
    const first = isoTimeOncePerMs();
    expect(first).toBe(',"time":"2026-11-22T07:59:33.123Z"');
    expect(isoTimeOncePerMs()).toBe(first);
    now.mockReturnValue(Date.UTC(2026, 10, 22, 7, 59, 33, 124));
    expect(isoTimeOncePerMs()).toBe(',"time":"2026-11-22T07:59:33.124Z"');
  } finally {
    now.mockRestore();
  }
});

describe('standard output', () => {
  const LOGGER = join(__dirname, '..', '..', 'dist', 'service', 'telemetry', 'logger.js');
  /** Runs `script` in a Node process of its own with `createLogger` (the compiled one: the default destination writes to fd 1). */
  const run = (script: string) => spawnSync(process.execPath, ['-e', `const { createLogger } = require(${JSON.stringify(LOGGER)});\n${script}`], { encoding: 'utf8' });
  const messages = (stdout: string): unknown[] => stdout.trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { message: unknown }).message);

  test.each([
    ['process.exit(1)', 'process.exit(1);'],
    ['an uncaught exception', "throw new Error('boom');"],
    ['the end of the work', ''],
  ])('lines still pending in the batch are written when the process exits: %s', (_how, ending) => {
    const result = run(`const logger = createLogger('info');\nlogger.info('starting');\nlogger.error('failed');\n${ending}`);
    expect(messages(result.stdout)).toEqual(['starting', 'failed']);
  });

  test.each([
    ['process.exit(3)', 'process.exit(3);', 3],
    ['an uncaught exception', "throw new Error('boom');", 1],
  ])('a process whose log reader has gone still exits: %s', async (_how, ending, code) => {
    const script = `const { createLogger } = require(${JSON.stringify(LOGGER)});\nconst logger = createLogger('info');\nsetTimeout(() => {\nlogger.error('failed');\n${ending}\n}, 300);`;
    // Its standard output a pipe whose reader closes at once: its writes fail with EPIPE. The shell exits with its status.
    const child = spawn('bash', ['-c', '"$0" -e "$1" 2>/dev/null | (exec 0<&-; true); exit "${PIPESTATUS[0]}"', process.execPath, script], { stdio: 'ignore', detached: true });
    const exited = await new Promise<number | null | 'still running'>((resolve) => {
      const guard = setTimeout(() => {
        // The shell and the process it started, whose group the shell leads.
        process.kill(-child.pid!, 'SIGKILL');
        resolve('still running');
      }, 10_000);
      child.once('exit', (status) => {
        clearTimeout(guard);
        resolve(status);
      });
    });
    expect(exited).toBe(code);
  });
});
