/**
 * Counters kept as plain sums and read by the SDK at collection export exactly what an SDK counter would:
 * one total per attribute set (whatever order its keys came in), cumulative across collections, seen by
 * every reader, with bad values dropped and runaway attribute sets folded into the overflow series.
 */
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { SummedCounter } from '../../service/telemetry/summed-counter';
import { TestMetricReader } from './metric-reader';

function setUp(monotonic: boolean, maxSeries = 100) {
  const readers = [new TestMetricReader(), new TestMetricReader()];
  const provider = new MeterProvider({ readers });
  const meter = provider.getMeter('test');
  const counter = new SummedCounter<Record<string, string>>('test.count', ['model', 'outcome'], monotonic, maxSeries);
  const observable = monotonic ? meter.createObservableCounter('test.count') : meter.createObservableUpDownCounter('test.count');
  observable.addCallback((result) => counter.observe(result));
  return { readers, provider, counter };
}

test('one cumulative total per attribute set, whatever order the keys came in, for every reader', async () => {
  const { readers, provider, counter } = setUp(true);
  counter.add(1, { model: 'a', outcome: 'success' });
  counter.add(2, { outcome: 'success', model: 'a' });
  counter.add(5, { model: 'b', outcome: 'success' });
  counter.add(1);

  for (const reader of readers) {
    expect(await reader.value('test.count', { model: 'a', outcome: 'success' })).toBe(3);
    expect(await reader.value('test.count', { model: 'b', outcome: 'success' })).toBe(5);
    expect(await reader.value('test.count', {})).toBe(1);
  }
  counter.add(4, { model: 'a', outcome: 'success' });
  expect(await readers[0]!.value('test.count', { model: 'a', outcome: 'success' })).toBe(7);
  await provider.shutdown();
});

test('a counter drops negative and non-finite values; an up-down counter takes negatives', async () => {
  const monotonic = setUp(true);
  monotonic.counter.add(2, { model: 'a' });
  monotonic.counter.add(-1, { model: 'a' });
  monotonic.counter.add(Number.NaN, { model: 'a' });
  expect(await monotonic.readers[0]!.value('test.count', { model: 'a' })).toBe(2);

  const upDown = setUp(false);
  upDown.counter.add(1);
  upDown.counter.add(1);
  upDown.counter.add(-1);
  expect(await upDown.readers[0]!.value('test.count', {})).toBe(1);
  await Promise.all([monotonic.provider.shutdown(), upDown.provider.shutdown()]);
});

test('attribute sets beyond the limit fold into the overflow series instead of growing without bound', async () => {
  const { readers, provider, counter } = setUp(true, 2);
  for (const model of ['a', 'b', 'c', 'd']) counter.add(1, { model });
  counter.add(1, { model: 'a' });

  expect(await readers[0]!.value('test.count', { model: 'a' })).toBe(2);
  expect(await readers[0]!.value('test.count', { model: 'b' })).toBe(1);
  expect(await readers[0]!.value('test.count', { 'otel.metric.overflow': true })).toBe(2);
  await provider.shutdown();
});
