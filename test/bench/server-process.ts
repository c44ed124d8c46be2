/**
 * One server of the benchmark in its own process, so the load generator never shares its event loop:
 * `upstream` (the Gemini emulator plus a sink for OTLP traces), `passthrough` (the bare proxy) or `gateway`
 * (the real gateway, configured from its environment like `main.ts`). Started by `children.ts` with
 * `fork`, it reports `{ type: 'ready', ... }` over IPC and stops cleanly on `{ type: 'stop' }` (so that
 * `--cpu-prof` can write its profile).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { GatewayConfig } from '../../service/config/load';
import type { Telemetry } from '../../service/telemetry/types';
import type * as TelemetryModule from '../../service/telemetry/from-config';
import type { ChildCollected, ChildGcPauses, ChildReady, ChildRequest, ChildStats } from './children';

const env = process.env;
const role = process.argv[2];

/** A full collection, on request, in a process started without `--expose-gc` (its flags stay production's). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Main-thread time this process has spent paused for garbage collection: scavenges of the young generation,
 * full collections and their incremental steps. V8's helper threads' share is in the process's CPU time, not
 * here. Observed in every role alike; an observer is called once per collection, not per request.
 */
let gcPauseMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauseMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

function send(message: ChildReady | ChildStats | ChildGcPauses | ChildCollected): void {
  if (message.type === 'ready') message.compilerLoaded = Object.keys(require.cache).some((file) => file.includes('/node_modules/typescript/'));
  process.send?.(message);
}

/** A stand-in OTLP/HTTP collector: accepts every export, counts requests, bytes and spans. */
async function startOtlpSink(): Promise<{ url: string; stats: () => ChildStats['otlp']; server: Server }> {
  const totals = { requests: 0, bytes: 0, spans: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      totals.requests++;
      totals.bytes += body.length;
      // JSON export: one `"spanId":` per span (the parent's is `"parentSpanId"`). Protobuf is not counted.
      const text = body.toString('latin1');
      for (let at = text.indexOf('"spanId":'); at >= 0; at = text.indexOf('"spanId":', at + 9)) totals.spans++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stats: () => ({ ...totals }), server };
}

/**
 * Telemetry as `main.ts` builds it (`telemetryFromConfig`), if that module is there and starts: the benchmark
 * also runs against older checkouts.
 */
function telemetryFor(config: GatewayConfig): { telemetry?: Telemetry; status: string } {
  if ((config as { telemetry?: string }).telemetry === undefined) return { status: 'unavailable: no GATEWAY_TELEMETRY setting' };
  try {
    // Loaded only when asked for: the module may not exist yet in every checkout.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('../../service/telemetry/from-config') as typeof TelemetryModule;
    const telemetry = module.telemetryFromConfig(config, 'bench');
    return telemetry ? { telemetry, status: 'on' } : { status: 'off' };
  } catch (error) {
    return { status: `unavailable: ${(error as Error).message.split('\n')[0]}` };
  }
}

async function main(): Promise<void> {
  let stop: () => Promise<void>;
  let stats: () => ChildStats | Promise<ChildStats> = () => ({ type: 'stats' });
  switch (role) {
    // Each role loads only its own modules, so a gateway's memory is that of `node dist/service/main.js`.
    case 'upstream': {
      const { GeminiEmulator } = await import('../../service/emulator/server');
      const emulator = new GeminiEmulator({
        latencyMs: Number(env.BENCH_LATENCY_MS ?? 0),
        latencyJitterMs: Number(env.BENCH_LATENCY_JITTER_MS ?? 0),
        chunkIntervalMs: Number(env.BENCH_CHUNK_INTERVAL_MS ?? 0),
      });
      const url = await emulator.listen(0, '127.0.0.1');
      const sink = await startOtlpSink();
      stats = () => ({ type: 'stats', requests: emulator.requestCount, otlp: sink.stats() });
      stop = async () => {
        sink.server.closeAllConnections();
        await Promise.all([emulator.close(), new Promise((resolve) => sink.server.close(resolve))]);
      };
      send({ type: 'ready', url, otlpUrl: sink.url, pid: process.pid });
      break;
    }
    case 'passthrough': {
      const { startPassthrough } = await import('./passthrough');
      const proxy = await startPassthrough(env.BENCH_UPSTREAM_URL ?? '', { connections: Number(env.BENCH_CONNECTIONS ?? 256), apiKey: env.BENCH_UPSTREAM_KEY ?? 'bench' });
      stop = () => proxy.close();
      send({ type: 'ready', url: proxy.url, pid: process.pid });
      break;
    }
    case 'gateway': {
      const [{ loadConfig }, { startGateway }, { createLogger }] = await Promise.all([import('../../service/config/load'), import('../../service/gateway'), import('../../service/telemetry/logger')]);
      const config = loadConfig(env);
      const logger = createLogger(config.logLevel, undefined, { traceProjectId: (config as GatewayConfig & { project?: string }).project });
      const { telemetry, status } = telemetryFor(config);
      const gateway = await startGateway(config, { logger, telemetry });
      let requests = 0;
      gateway.server.on('request', () => requests++);
      // How long shared state (Redis) counted as unreachable: limits and cache then ran from memory.
      let degradedMs = 0;
      let last = Date.now();
      const poll = setInterval(() => {
        const now = Date.now();
        if (gateway.state.health.degraded()) degradedMs += now - last;
        last = now;
      }, 50);
      poll.unref();
      // Spans still queued in the batch processor are exported first, so the sink's count is complete.
      const flush = (telemetry as { flushSpans?: () => Promise<void> } | undefined)?.flushSpans;
      stats = async () => {
        await flush?.call(telemetry).catch(() => undefined);
        return { type: 'stats', requests, stateDegradedMs: degradedMs };
      };
      stop = async () => {
        clearInterval(poll);
        await gateway.shutdown(0);
        logger.flush();
      };
      send({ type: 'ready', url: gateway.url, pid: process.pid, telemetry: status });
      break;
    }
    default:
      throw new Error(`unknown role ${role}`);
  }
  process.on('message', (message: ChildRequest) => {
    if (message.type === 'stats') void Promise.resolve(stats()).then((reply) => send({ ...reply, memory: process.memoryUsage() }));
    if (message.type === 'gc-pauses') send({ type: 'gc-pauses', ms: gcPauseMs });
    if (message.type === 'collect-garbage') {
      collectGarbage();
      send({ type: 'collected', confirmed: true });
    }
    if (message.type === 'stop') {
      const deadline = setTimeout(() => process.exit(0), 5_000);
      void stop()
        .catch(() => undefined)
        .then(() => {
          clearTimeout(deadline);
          process.exit(0);
        });
    }
  });
  // The parent went away without stopping us: do not linger.
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench ${role ?? '?'} process failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
