/**
 * Histograms the gateway records into on every request, kept as plain bucket counts per attribute set and
 * handed to the metric readers by a `MetricProducer` when they collect.
 *
 * Why not the SDK's own `Histogram.record`: each call copies the attributes through the view's allow-list,
 * sorts and stringifies them to find the series, and takes a timestamp, through half a dozen SDK layers;
 * a request makes three such records. Here a record is a lookup in a `SeriesIndex` (which applies the
 * allow-list too) and a bucket search. What is exported is what the SDK's explicit-bucket aggregation
 * exports: cumulative buckets (inclusive upper bounds), count, sum, min and max, with series beyond the
 * cardinality limit folded into `otel.metric.overflow`.
 */
import { diag, ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type HistogramMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { SeriesIndex, type LabelValues } from './series-index';

/** What a histogram is exported as: the catalogue's definition of it. */
export interface HistogramDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  /** The only attribute keys kept, in the order they key a series. */
  readonly labels: readonly string[];
  /** Explicit bucket boundaries (inclusive upper bounds), ascending. */
  readonly boundaries: readonly number[];
}

interface Series {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Index of the bucket `value` falls in: the first boundary at or above it, else the last (overflow) bucket. */
function bucketOf(boundaries: readonly number[], value: number): number {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((boundaries[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class SummedHistogram<A extends LabelValues = LabelValues> {
  private readonly series: SeriesIndex<Series>;

  /** @param maxSeries attribute sets kept before new ones fold into the overflow series. */
  constructor(
    private readonly definition: HistogramDefinition,
    maxSeries: number,
  ) {
    const buckets = definition.boundaries.length + 1;
    this.series = new SeriesIndex(definition.labels, maxSeries, (attributes) => ({
      attributes,
      startTime: millisToHrTime(Date.now()),
      counts: new Array<number>(buckets).fill(0),
      count: 0,
      sum: 0,
      min: Infinity,
      max: -Infinity,
    }));
  }

  /** Records one value; a negative or non-numeric value is dropped with a warning, as the SDK drops it. */
  record(value: number, attributes?: A): void {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      diag.warn(`${this.definition.name}: dropped the value ${String(value)}; a histogram takes non-negative numbers`);
      return;
    }
    const series = this.series.seriesOf(attributes);
    series.count += 1;
    series.sum += value;
    if (value < series.min) series.min = value;
    if (value > series.max) series.max = value;
    (series.counts[bucketOf(this.definition.boundaries, value)] as number) += 1;
  }

  /** Every series as a cumulative data point; `undefined` while nothing has been recorded (as the SDK exports nothing). */
  metricData(endTime: HrTime): HistogramMetricData | undefined {
    if (this.series.size === 0) return undefined;
    const boundaries = [...this.definition.boundaries];
    const dataPoints: Array<DataPoint<Histogram>> = [];
    for (const s of this.series.values()) {
      dataPoints.push({ attributes: s.attributes, startTime: s.startTime, endTime, value: { buckets: { boundaries, counts: [...s.counts] }, count: s.count, sum: s.sum, min: s.min, max: s.max } });
    }
    const { name, description, unit } = this.definition;
    return { descriptor: { name, description, unit, valueType: ValueType.DOUBLE }, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints };
  }
}

/**
 * The histograms of one instrumentation scope, as a `MetricProducer`: give it to every metric reader
 * (`metricProducers`), and each collection includes them next to the SDK's own instruments.
 */
export class SummedHistograms implements MetricProducer {
  private readonly histograms: SummedHistogram[] = [];

  constructor(
    private readonly resource: Resource,
    private readonly scope: { name: string; version?: string },
    private readonly maxSeries: number,
  ) {}

  create<A extends LabelValues>(definition: HistogramDefinition): SummedHistogram<A> {
    const histogram = new SummedHistogram<A>(definition, this.maxSeries);
    this.histograms.push(histogram);
    return histogram;
  }

  collect(): Promise<CollectionResult> {
    const endTime = millisToHrTime(Date.now());
    const metrics = this.histograms.flatMap((h) => h.metricData(endTime) ?? []);
    return Promise.resolve({ resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: this.scope, metrics }] }, errors: [] });
  }
}
