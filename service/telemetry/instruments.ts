/**
 * Instruments and SDK views, created from the catalogue and nowhere else. Each instrument gets one view that
 * keeps only its catalogue labels (so an attribute added by mistake is dropped, not exported), its explicit
 * buckets, and a cardinality limit as the last line of defence.
 */
import type { Counter, Gauge, Histogram, Meter, ObservableGauge, UpDownCounter } from '@opentelemetry/api';
import { AggregationType, createAllowListAttributesProcessor, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { METRICS, type LabelsOf, type MetricDefinition, type MetricId } from './metrics-catalogue';
import { SummedCounter } from './summed-counter';

/** Attribute sets per instrument beyond which the SDK folds new ones into an overflow series. */
export const CARDINALITY_LIMIT = 2000;

type InstrumentOf<M extends MetricDefinition> = M['kind'] extends 'summed_counter' | 'summed_updowncounter'
  ? SummedCounter<LabelsOf<M>>
  : M['kind'] extends 'counter'
  ? Counter<LabelsOf<M>>
  : M['kind'] extends 'updowncounter'
    ? UpDownCounter<LabelsOf<M>>
    : M['kind'] extends 'histogram'
      ? Histogram<LabelsOf<M>>
      : M['kind'] extends 'gauge'
        ? Gauge<LabelsOf<M>>
        : ObservableGauge<LabelsOf<M>>;

export type Instruments = { readonly [K in MetricId]: InstrumentOf<(typeof METRICS)[K]> };

function create(meter: Meter, metric: MetricDefinition): unknown {
  const options = { unit: metric.unit, description: metric.description };
  switch (metric.kind) {
    case 'counter':
      return meter.createCounter(metric.name, options);
    case 'updowncounter':
      return meter.createUpDownCounter(metric.name, options);
    case 'histogram':
      return meter.createHistogram(metric.name, { ...options, advice: { explicitBucketBoundaries: [...(metric.boundaries ?? [])] } });
    case 'gauge':
      return meter.createGauge(metric.name, options);
    case 'observable_gauge':
      return meter.createObservableGauge(metric.name, options);
    case 'summed_counter':
    case 'summed_updowncounter': {
      const monotonic = metric.kind === 'summed_counter';
      const summed = new SummedCounter(metric.name, monotonic, CARDINALITY_LIMIT);
      const observable = monotonic ? meter.createObservableCounter(metric.name, options) : meter.createObservableUpDownCounter(metric.name, options);
      observable.addCallback((result) => summed.observe(result));
      return summed;
    }
  }
}

/** Creates every catalogue instrument on `meter`. */
export function createInstruments(meter: Meter): Instruments {
  return Object.fromEntries(Object.entries(METRICS).map(([id, metric]) => [id, create(meter, metric)])) as Instruments;
}

/** One view per catalogue instrument: label allow-list, explicit buckets, cardinality limit. */
export function catalogueViews(meterName: string): ViewOptions[] {
  return Object.values(METRICS).map((metric: MetricDefinition) => ({
    instrumentName: metric.name,
    meterName,
    attributesProcessors: [createAllowListAttributesProcessor([...metric.labels])],
    aggregationCardinalityLimit: CARDINALITY_LIMIT,
    ...(metric.kind === 'histogram'
      ? { aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...(metric.boundaries ?? [])] } } }
      : {}),
  }));
}
