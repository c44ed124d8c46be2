/**
 * The cap on new traces (`GATEWAY_TRACES_PER_SECOND`): the sampler's token bucket against a clock the test
 * moves, then the gateway's own tracer built by `createTelemetry`, whose cap applies to new traces only and
 * never to a trace its caller sampled.
 */
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, InMemorySpanExporter, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { ConfigError, loadConfig } from '../../service/config/load';
import { withContext } from '../../service/telemetry/context-store';
import { createTelemetry } from '../../service/telemetry/create';
import { RateLimitedSampler } from '../../service/telemetry/rate-limited-sampler';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let at = 1_000;
  return { now: () => at, advance: (ms) => (at += ms) };
}

/** How many of `n` new traces the sampler samples, one after another at the same instant. */
function sampledOf(sampler: Sampler, n: number): number {
  let sampled = 0;
  for (let i = 0; i < n; i++) if (sampler.shouldSample(ROOT_CONTEXT, TRACE_ID, 'POST', SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  return sampled;
}

test('samples at most a second’s worth at once, then as many as the time since allows, never more than a second’s worth', () => {
  const time = clock();
  const sampler = new RateLimitedSampler(new AlwaysOnSampler(), 4, time.now);
  expect(sampledOf(sampler, 10)).toBe(4);
  time.advance(250);
  expect(sampledOf(sampler, 10)).toBe(1);
  time.advance(500);
  expect(sampledOf(sampler, 10)).toBe(2);
  time.advance(60_000);
  expect(sampledOf(sampler, 10)).toBe(4);
});

test('a rate below one a second still samples one trace, then waits for the next whole token', () => {
  const time = clock();
  const sampler = new RateLimitedSampler(new AlwaysOnSampler(), 0.5, time.now);
  expect(sampledOf(sampler, 3)).toBe(1);
  time.advance(1_900);
  expect(sampledOf(sampler, 3)).toBe(0);
  time.advance(100);
  expect(sampledOf(sampler, 3)).toBe(1);
});

test('traces the inner sampler drops take no token, and its own result comes back untouched', () => {
  const time = clock();
  const decisions = [SamplingDecision.NOT_RECORD, SamplingDecision.RECORD, SamplingDecision.RECORD_AND_SAMPLED, SamplingDecision.RECORD_AND_SAMPLED];
  const results: SamplingResult[] = decisions.map((decision) => ({ decision, attributes: { 'sampler.rule': String(decision) } }));
  let call = 0;
  const scripted: Sampler = { shouldSample: () => results[call++]!, toString: () => 'scripted' };
  const sampler = new RateLimitedSampler(scripted, 1, time.now);
  const decide = (): SamplingResult => sampler.shouldSample(ROOT_CONTEXT, TRACE_ID, 'POST', SpanKind.SERVER, {}, []);
  expect(decide()).toBe(results[0]);
  expect(decide()).toBe(results[1]);
  // The one token is still there for the first trace the inner sampler samples, and gone for the next.
  expect(decide()).toBe(results[2]);
  expect(decide()).toEqual({ decision: SamplingDecision.NOT_RECORD });
  expect(sampler.toString()).toBe('RateLimitedSampler{scripted, at most 1/s}');
});

test('an inner sampler that samples nothing stays at nothing', () => {
  expect(sampledOf(new RateLimitedSampler(new AlwaysOffSampler(), 100, clock().now), 5)).toBe(0);
});

test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p traces a second', (perSecond) => {
  expect(() => new RateLimitedSampler(new AlwaysOnSampler(), perSecond)).toThrow(RangeError);
});

describe('the gateway’s tracer', () => {
  // One trace every 1,000 s: the bucket's single token goes to the first trace, and no test outlasts its refill.
  const SLOW = 0.001;

  async function tracesRecorded(tracesPerSecond: number | undefined, parent: Context, n: number, callerTracesPerSecond?: number): Promise<string[]> {
    const exporter = new InMemorySpanExporter();
    const telemetry = createTelemetry({ serviceName: 'g', serviceVersion: 't', tracesExporter: 'memory', sampleRatio: 1, tracesPerSecond, callerTracesPerSecond, spanExporter: exporter });
    try {
      for (let i = 0; i < n; i++) await withContext(parent, () => telemetry.tracing.inStage('authenticate', undefined, () => Promise.resolve()));
      return exporter.getFinishedSpans().map((span) => span.spanContext().traceId);
    } finally {
      await telemetry.shutdown();
    }
  }

  test('records as many new traces as the cap allows', async () => {
    expect(await tracesRecorded(SLOW, ROOT_CONTEXT, 5)).toHaveLength(1);
  });

  test('records every new trace its ratio samples when the cap is off (0 or unset)', async () => {
    expect(await tracesRecorded(0, ROOT_CONTEXT, 5)).toHaveLength(5);
    expect(await tracesRecorded(undefined, ROOT_CONTEXT, 5)).toHaveLength(5);
  });

  const callerSampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });

  test('follows a caller that sampled its trace, whatever the cap on new traces', async () => {
    expect(await tracesRecorded(SLOW, callerSampled, 5)).toEqual(Array(5).fill(TRACE_ID));
  });

  test("follows callers' sampled traces up to their own cap, which leaves new traces theirs", async () => {
    expect(await tracesRecorded(0, callerSampled, 5, SLOW)).toEqual([TRACE_ID]);
    expect(await tracesRecorded(0, callerSampled, 5, 0)).toHaveLength(5);
    // A caller sampling everything takes nothing from the gateway's own traces.
    const exporter = new InMemorySpanExporter();
    const telemetry = createTelemetry({ serviceName: 'g', serviceVersion: 't', tracesExporter: 'memory', sampleRatio: 1, tracesPerSecond: SLOW, callerTracesPerSecond: SLOW, spanExporter: exporter });
    try {
      for (const parent of [callerSampled, callerSampled, ROOT_CONTEXT, ROOT_CONTEXT]) await withContext(parent, () => telemetry.tracing.inStage('authenticate', undefined, () => Promise.resolve()));
      const traceIds = exporter.getFinishedSpans().map((span) => span.spanContext().traceId);
      expect(traceIds).toHaveLength(2);
      expect(traceIds[0]).toBe(TRACE_ID);
      expect(traceIds[1]).not.toBe(TRACE_ID);
    } finally {
      await telemetry.shutdown();
    }
  });
});

test('GATEWAY_CALLER_TRACES_PER_SECOND defaults to 100, takes 0 (no cap), and refuses negatives', () => {
  const open = { GATEWAY_AUTH_MODE: 'open' };
  expect(loadConfig(open).callerTracesPerSecond).toBe(100);
  expect(loadConfig({ ...open, GATEWAY_CALLER_TRACES_PER_SECOND: '0' }).callerTracesPerSecond).toBe(0);
  expect(() => loadConfig({ ...open, GATEWAY_CALLER_TRACES_PER_SECOND: '-1' })).toThrow(/GATEWAY_CALLER_TRACES_PER_SECOND/);
});

test('GATEWAY_TRACES_PER_SECOND defaults to 10, takes 0 (no cap) and fractions, and refuses negatives', () => {
  const open = { GATEWAY_AUTH_MODE: 'open' };
  expect(loadConfig(open).tracesPerSecond).toBe(10);
  expect(loadConfig({ ...open, GATEWAY_TRACES_PER_SECOND: '0' }).tracesPerSecond).toBe(0);
  expect(loadConfig({ ...open, GATEWAY_TRACES_PER_SECOND: '0.5' }).tracesPerSecond).toBe(0.5);
  expect(() => loadConfig({ ...open, GATEWAY_TRACES_PER_SECOND: '-1' })).toThrow(ConfigError);
  expect(() => loadConfig({ ...open, GATEWAY_TRACES_PER_SECOND: 'lots' })).toThrow(/GATEWAY_TRACES_PER_SECOND/);
});
