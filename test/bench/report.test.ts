/**
 * The same-run ratios and the targets read from them: the one figure per workload, and the spread of the
 * same ratio round by round that says how far this machine's noise moves it.
 */
import { checkTargets, computeRatios, formatTable, type BenchResults, type Cell } from './report';

const WORKLOAD = 'unary miss c=16';

function cell(target: string, roundRps: number[]): Cell {
  const rps = roundRps.reduce((sum, r) => sum + r, 0) / roundRps.length;
  return { workload: WORKLOAD, target, rps, p50Ms: 1, p99Ms: 2, ok: Math.round(rps * roundRps.length), non2xx: 0, errors: 0, roundRps, cpuUsPerRequest: null, gcUsPerRequest: null };
}

function results(cells: Cell[]): Omit<BenchResults, 'targets'> {
  return {
    meta: {
      startedAt: '',
      finishedAt: '',
      seconds: 0,
      cores: 2,
      cpu: '',
      node: '',
      autocannon: '',
      commit: '',
      loadAverage: { start: [], end: [] },
      mode: 'zero-latency',
      upstream: { latencyMs: 0, latencyJitterMs: 0, chunkIntervalMs: 0 },
      options: {},
      placement: { pinned: true, serverCpus: [0], otherCpus: [1] },
      gatewaySettings: {},
      telemetry: 'on',
      targets: {},
    },
    workloads: [],
    cells,
    ratios: computeRatios(cells),
  };
}

test('each same-run ratio also comes round by round, and the targets show that spread', () => {
  const cells = [cell('passthrough', [4000, 5000, 4000]), cell('gateway', [1200, 1000, 1400]), cell('gateway-telemetry-off', [1500, 2000, 1400])];
  const { ratios } = results(cells);

  expect(ratios.gatewayOverPassthrough[WORKLOAD]).toBeCloseTo(1200 / 4333.33, 3);
  expect(ratios.gatewayOverPassthroughByRound[WORKLOAD]).toEqual([0.3, 0.2, 0.35]);
  expect(ratios.telemetryOnOverOffByRound[WORKLOAD]).toEqual([0.8, 0.5, 1]);

  const targets = checkTargets(results(cells));
  expect(targets.find((t) => t.goal.startsWith('gateway ÷ pass-through'))?.measured).toBe('0.28 (unary miss c=16; rounds 0.20–0.35)');
  expect(targets.find((t) => t.goal.startsWith('telemetry on ÷ off'))?.measured).toBe('0.73 (unary miss c=16; rounds 0.50–1.00)');
});

test('a single round, or a round in which the reference served nothing, adds no spread to mislead', () => {
  const single = checkTargets(results([cell('passthrough', [4000]), cell('gateway', [1000])]));
  expect(single.find((t) => t.goal.startsWith('gateway ÷ pass-through'))?.measured).toBe('0.25 (unary miss c=16)');

  const { ratios } = results([cell('passthrough', [4000, 0]), cell('gateway', [1000, 900])]);
  expect(ratios.gatewayOverPassthroughByRound[WORKLOAD]).toEqual([0.25]);
});

test('the header names the settings given with --gateway-env, and says nothing when there were none', () => {
  const partial = results([cell('passthrough', [4000]), cell('gateway', [3000])]);
  const table = (settings: Record<string, string>) => formatTable({ ...partial, meta: { ...partial.meta, gatewaySettings: settings }, targets: checkTargets(partial) });
  expect(table({ GATEWAY_ACCESS_LOG: 'failures', LOG_LEVEL: 'warn' })).toContain("gateway settings on top of the bench's: GATEWAY_ACCESS_LOG=failures LOG_LEVEL=warn");
  expect(table({})).not.toContain('gateway settings');
});

test("a peer's row says how many times its throughput the gateway's is", () => {
  const partial = results([cell('passthrough', [4000]), cell('gateway', [3000]), cell('peer', [200])]);
  expect(partial.ratios.gatewayOverPeer[WORKLOAD]).toBe(15);
  expect(partial.ratios.peerOverPassthrough[WORKLOAD]).toBe(0.05);
  const table = formatTable({ ...partial, meta: { ...partial.meta, targets: { peer: 'peer http://127.0.0.1:8787/v1' } }, targets: checkTargets(partial) });
  expect(table).toMatch(/peer http:\/\/127\.0\.0\.1:8787\/v1 .*gateway÷peer 15\.0/);
});

test('the memory lines say what each held stream keeps alive after a full GC, for the gateway and the pass-through', () => {
  const partial = results([cell('passthrough', [4000]), cell('gateway', [3000])]);
  const MB = 1024 * 1024;
  const run = { streams: 1000, maxHeld: 1000, completed: 1000, failed: 0, idleRssMb: 118, peakRssMb: 182, hwmMb: 182, perStreamKb: 65, heldForMs: 3000 };
  const live = (idleHeap: number, heldHeap: number) => ({ idle: { heapUsed: idleHeap * MB, arrayBuffers: 0.5 * MB }, held: { heapUsed: heldHeap * MB, arrayBuffers: 1.5 * MB }, perStreamKb: ((heldHeap - idleHeap + 1) * 1024) / 1000 });
  const memory = { ...run, live: live(30, 55), upstreamConnections: 1024, chunkIntervalMs: 1000, passthrough: { ...run, live: live(11, 35) } };
  const table = formatTable({ ...partial, memory, targets: checkTargets({ ...partial, memory }) });
  expect(table).toContain('\n  kept alive after a full GC: heap 30.0 → 55.0 MB, Buffers 0.5 → 1.5 MB with every stream open (second pass), ≈ 26.6 KB per held stream');
  expect(table).toContain('\n  pass-through, kept alive after a full GC: heap 11.0 → 35.0 MB, Buffers 0.5 → 1.5 MB with every stream open (second pass), ≈ 25.6 KB per held stream');
});

test("each row gives its server's CPU and, of that, its garbage-collection pauses per request; a dash where they were not measured", () => {
  const partial = results([{ ...cell('passthrough', [4000]), cpuUsPerRequest: 150, gcUsPerRequest: 21 }, cell('gateway', [3000])]);
  const table = formatTable({ ...partial, targets: checkTargets(partial) });
  expect(table).toMatch(/^ *workload +target +req\/s +p50 ms +p99 ms +CPU µs\/req +GC µs\/req +errors/m);
  expect(table).toMatch(/^unary miss c=16 +passthrough +4000 +1\.00 +2\.00 +150 +21 +0 /m);
  expect(table).toMatch(/^ +gateway +3000 +1\.00 +2\.00 +– +– +0 /m);
});
