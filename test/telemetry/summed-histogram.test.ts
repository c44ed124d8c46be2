/**
 * Histograms kept as plain bucket counts export exactly what the SDK's explicit-bucket histogram exports for
 * the same records (data points and Prometheus text alike): only catalogue labels, whatever order the keys
 * came in, values on a boundary counted in that boundary's bucket, cumulative across collections, seen by
 * every reader, bad values dropped and runaway attribute sets folded into the overflow series.
 */
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, createAllowListAttributesProcessor, MeterProvider } from '@opentelemetry/sdk-metrics';
import { SummedHistograms, type HistogramDefinition } from '../../service/telemetry/summed-histogram';
import { TestMetricReader } from './metric-reader';

const DEFINITION: HistogramDefinition = { name: 'test.duration', unit: 's', description: 'A test duration.', labels: ['method', 'route', 'status'], boundaries: [0.01, 0.1, 1, 10] };
const resource = resourceFromAttributes({ 'service.name': 'test' });

function summed(maxSeries = 100) {
  const histograms = new SummedHistograms(resource, { name: 'test' }, maxSeries);
  const readers = [new TestMetricReader({ metricProducers: [histograms] }), new TestMetricReader({ metricProducers: [histograms] })];
  const provider = new MeterProvider({ resource, readers });
  return { readers, provider, histogram: histograms.create<Record<string, string | number>>(DEFINITION) };
}

/** The SDK's own histogram, configured as the catalogue views used to configure it. */
function sdk() {
  const reader = new TestMetricReader();
  const provider = new MeterProvider({
    resource,
    readers: [reader],
    views: [
      {
        instrumentName: DEFINITION.name,
        attributesProcessors: [createAllowListAttributesProcessor([...DEFINITION.labels])],
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...DEFINITION.boundaries] } },
      },
    ],
  });
  const histogram = provider.getMeter('test').createHistogram(DEFINITION.name, { unit: DEFINITION.unit, description: DEFINITION.description });
  return { reader, provider, histogram };
}

const RECORDS: Array<[number, Record<string, string | number>]> = [
  [0, { method: 'POST', route: '/a', status: 200 }],
  [0.01, { route: '/a', status: 200, method: 'POST' }],
  [0.010001, { method: 'POST', route: '/a', status: 200, caller: 'team-a' }],
  [1, { method: 'POST', route: '/a', status: 503 }],
  [9.5, { method: 'GET', route: '/b' }],
  [10, { method: 'GET', route: '/b' }],
  [250, { method: 'GET', route: '/b' }],
];

test('the same records export the same data points and Prometheus text as the SDK histogram', async () => {
  const ours = summed();
  const theirs = sdk();
  for (const [value, attributes] of RECORDS) {
    ours.histogram.record(value, attributes);
    theirs.histogram.record(value, attributes);
  }

  const points = (list: Awaited<ReturnType<TestMetricReader['points']>>) => list.map(({ attributes, value }) => ({ attributes, value }));
  const expected = points(await theirs.reader.points(DEFINITION.name));
  expect(expected).toHaveLength(3);
  expect(points(await ours.readers[0]!.points(DEFINITION.name))).toEqual(expected);

  const serializer = new PrometheusSerializer();
  const text = async (reader: TestMetricReader) => serializer.serialize((await reader.collect()).resourceMetrics);
  expect(await text(ours.readers[0]!)).toBe(await text(theirs.reader));
  await Promise.all([ours.provider.shutdown(), theirs.provider.shutdown()]);
});

test('counts are cumulative across collections and every reader sees them; nothing is exported before the first record', async () => {
  const { readers, provider, histogram } = summed();
  expect(await readers[0]!.points(DEFINITION.name)).toEqual([]);
  histogram.record(0.5, { method: 'GET' });
  await readers[0]!.collect();
  histogram.record(5, { method: 'GET' });
  for (const reader of readers) {
    expect(await reader.value(DEFINITION.name, { method: 'GET' })).toEqual({ buckets: { boundaries: [0.01, 0.1, 1, 10], counts: [0, 0, 1, 1, 0] }, count: 2, sum: 5.5, min: 0.5, max: 5 });
  }
  await provider.shutdown();
});

test('negative and non-numeric values are dropped', async () => {
  const { readers, provider, histogram } = summed();
  histogram.record(2, { method: 'GET' });
  histogram.record(-1, { method: 'GET' });
  histogram.record(Number.NaN, { method: 'GET' });
  histogram.record('3' as unknown as number, { method: 'GET' });
  expect(await readers[0]!.value(DEFINITION.name, { method: 'GET' })).toMatchObject({ count: 1, sum: 2 });
  await provider.shutdown();
});

test('attribute sets beyond the limit fold into the overflow series instead of growing without bound', async () => {
  const { readers, provider, histogram } = summed(2);
  for (const route of ['/a', '/b', '/c', '/d']) histogram.record(1, { route });
  histogram.record(1, { route: '/a' });

  expect(await readers[0]!.attributes(DEFINITION.name)).toEqual([{ route: '/a' }, { route: '/b' }, { 'otel.metric.overflow': true }]);
  expect(await readers[0]!.value(DEFINITION.name, { route: '/a' })).toMatchObject({ count: 2 });
  expect(await readers[0]!.value(DEFINITION.name, { 'otel.metric.overflow': true })).toMatchObject({ count: 2 });
  await provider.shutdown();
});
