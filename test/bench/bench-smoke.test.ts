/**
 * Keeps `npm run bench` working: a tiny run (one concurrency, a fraction of a second per target, a few
 * streams and Redis requests) must print the table and write JSON with every section. It asserts nothing
 * about the numbers: the benchmark measures, it never fails on a result.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, runBench } from './bench';
import type { BenchResults } from './report';

let out: string;
beforeAll(() => (out = mkdtempSync(join(tmpdir(), 'bench-smoke-'))));
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('a quick bench run prints the table and writes the JSON results', async () => {
  const lines: string[] = [];
  const options = parseArgs(
    ['--quick', '--concurrency', '4', '--duration', '0.1', '--warmup', '0.1', '--memory-streams', '20', '--redis-requests', '5', '--openai', '--out', out],
    (line) => lines.push(line),
  );
  const { table, file } = await runBench(options);

  const printed = lines.join('\n');
  expect(printed).toContain(table);
  for (const heading of ['workload', 'target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'GC µs/req', '÷ pass', '+p50 ms', '÷ direct', 'targets (issue 6):', 'memory:', 'redis round trips per request:']) {
    expect(table).toContain(heading);
  }
  expect(table).toMatch(/\d+ cores/);
  expect(table).toContain('CPU placement:');

  const json = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  expect(Object.keys(json).sort()).toEqual(expect.arrayContaining(['cells', 'memory', 'meta', 'ratios', 'redis', 'targets', 'workloads']));
  expect(Object.keys(json.meta)).toEqual(expect.arrayContaining(['cores', 'node', 'cpu', 'commit', 'mode', 'placement', 'telemetry', 'targets']));
  expect(json.workloads.map((w) => `${w.openai ? 'openai' : w.stream ? 'stream' : 'unary'} ${w.cache} c=${w.concurrency}`)).toEqual([
    'unary miss c=4',
    'unary hit c=4',
    'stream miss c=4',
    'stream hit c=4',
    'openai miss c=4',
    'openai hit c=4',
  ]);
  const targets = new Set(json.cells.map((c) => c.target));
  for (const target of ['direct', 'passthrough', 'gateway', 'gateway-redis']) expect(targets).toContain(target);
  // OpenAI-format calls go to the gateways only (the emulator and the pass-through do not speak that API), and they answer them.
  const openaiCells = json.cells.filter((c) => c.workload.startsWith('openai '));
  expect(new Set(openaiCells.map((c) => c.target))).toEqual(new Set(['gateway', 'gateway-telemetry-off', 'gateway-redis']));
  for (const cell of openaiCells) expect(cell).toMatchObject({ ok: expect.any(Number), errors: 0, non2xx: 0 });
  for (const cell of openaiCells) expect(cell.ok).toBeGreaterThan(0);
  expect(table).toMatch(/^openai miss c=4 +gateway /m);
  for (const cell of json.cells) expect(Object.keys(cell)).toEqual(expect.arrayContaining(['workload', 'target', 'rps', 'p50Ms', 'p99Ms', 'ok', 'errors', 'roundRps', 'cpuUsPerRequest', 'gcUsPerRequest']));
  // Every target is one of the bench's own processes here, so each reported its collections' pauses.
  for (const cell of json.cells) expect(cell.gcUsPerRequest).toBeGreaterThanOrEqual(0);
  expect(Object.keys(json.ratios)).toEqual(expect.arrayContaining(['gatewayOverPassthrough', 'addedP50Ms', 'addedP99Ms', 'cacheHitOverDirect', 'telemetryOnOverOff', 'redisOverMemory', 'cpuPerRequestGatewayOverPassthrough']));
  expect(json.ratios.gatewayOverPassthrough['unary miss c=4']).toEqual(expect.any(Number));
  expect(Object.keys(json.redis!)).toEqual(expect.arrayContaining(['unaryMiss', 'unaryHit', 'streamMiss', 'streamHit', 'degradedMsUnderLoad']));
  expect(Object.keys(json.memory!)).toEqual(expect.arrayContaining(['streams', 'maxHeld', 'idleRssMb', 'peakRssMb', 'perStreamKb', 'passthrough']));
  expect(json.memory!.passthrough).toMatchObject({ streams: 20, maxHeld: 20, completed: 20, failed: 0 });
  expect(table).toContain('pass-through, same streams: 20 held at once');
  // The second pass measured what the streams keep alive, in both processes, with all 20 open.
  for (const live of [json.memory!.live, json.memory!.passthrough!.live]) expect(live).toMatchObject({ idle: { heapUsed: expect.any(Number) }, held: { arrayBuffers: expect.any(Number) }, perStreamKb: expect.any(Number) });
  expect(table).toMatch(/kept alive after a full GC: heap [0-9.]+ → [0-9.]+ MB, Buffers [0-9.]+ → [0-9.]+ MB with every stream open \(second pass\), ≈ -?[0-9.]+ KB per held stream/);
  expect(json.targets).toHaveLength(6);
}, 60_000);
