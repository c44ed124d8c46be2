/**
 * Span batching follows the standard `OTEL_BSP_*` variables, which the SDK no longer reads itself: the
 * settings load with their defaults, and a batch size set in the environment decides how many spans one
 * OTLP export from the running gateway carries (to a real HTTP sink).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../service/config/load';
import { startGatewayProcess } from '../support/process';
import { postJson } from '../support/http';

const OPEN = { GATEWAY_AUTH_MODE: 'open' };

test('the OTEL_BSP_* settings default to a 200 ms delay and the SDK sizes, and refuse nonsense', () => {
  expect(loadConfig(OPEN)).toMatchObject({ spanExportDelayMs: 200, spanExportBatchSize: 512, spanQueueSize: 2048, spanExportTimeoutMs: 30_000 });
  const set = loadConfig({ ...OPEN, OTEL_BSP_SCHEDULE_DELAY: '1000', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64', OTEL_BSP_MAX_QUEUE_SIZE: '4096', OTEL_BSP_EXPORT_TIMEOUT: '5000' });
  expect(set).toMatchObject({ spanExportDelayMs: 1000, spanExportBatchSize: 64, spanQueueSize: 4096, spanExportTimeoutMs: 5000 });
  expect(() => loadConfig({ ...OPEN, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' })).toThrow(ConfigError);
});

describe('the gateway process exporting spans over OTLP', () => {
  let sink: Server;
  const exports: number[] = [];
  let arrived: () => void = () => undefined;

  beforeAll(async () => {
    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const request = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
        exports.push(request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        arrived();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => sink.close(resolve)));

  // In a process of its own: the OTLP exporter loads its HTTP client with a dynamic import(), which Jest's
  // module sandbox cannot run.
  test('sends OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans per export, as soon as a batch is full', async () => {
    const gateway = await startGatewayProcess({
      ...OPEN,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/traces`,
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2',
      OTEL_BSP_SCHEDULE_DELAY: '3600000',
    });
    try {
      const twoExports = new Promise<void>((resolve) => (arrived = () => exports.length >= 2 && resolve()));
      const response = await postJson(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] });
      expect(response.status).toBe(200);
      // The request's four spans (server, authenticate, admit, upstream) leave in two full batches, long
      // before the hour-long delay.
      await twoExports;
      expect(exports).toEqual([2, 2]);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });
});
