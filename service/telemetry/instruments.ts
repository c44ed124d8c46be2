/**
 * Instruments and SDK views, created from the catalogue and nowhere else. Each SDK instrument gets one view
 * that keeps only its catalogue labels (so an attribute added by mistake is dropped, not exported) and a
 * cardinality limit as the last line of defence. Histograms are not SDK instruments (`summed-histogram.ts`):
 * they keep only their catalogue labels and the same limit themselves.
 */
import type { Counter, Gauge, Meter, ObservableGauge, UpDownCounter } from '@opentelemetry/api';
import { createAllowListAttributesProcessor, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { METRICS, type LabelsOf, type MetricDefinition, type MetricId } from './metrics-catalogue';
import { SummedCounter } from './summed-counter';
import type { SummedHistogram, SummedHistograms } from './summed-histogram';

/** Attribute sets per instrument beyond which the SDK folds new ones into an overflow series. */
export const CARDINALITY_LIMIT = 2000;

type InstrumentOf<M extends MetricDefinition> = M['kind'] extends 'summed_counter' | 'summed_updowncounter'
  ? SummedCounter<LabelsOf<M>>
  : M['kind'] extends 'counter'
  ? Counter<LabelsOf<M>>
  : M['kind'] extends 'updowncounter'
    ? UpDownCounter<LabelsOf<M>>
    : M['kind'] extends 'histogram'
      ? SummedHistogram<LabelsOf<M>>
      : M['kind'] extends 'gauge'
        ? Gauge<LabelsOf<M>>
        : ObservableGauge<LabelsOf<M>>;

export type Instruments = { readonly [K in MetricId]: InstrumentOf<(typeof METRICS)[K]> };

function create(meter: Meter, histograms: SummedHistograms, metric: MetricDefinition): unknown {
  const options = { unit: metric.unit, description: metric.description };
  switch (metric.kind) {
    case 'counter':
      return meter.createCounter(metric.name, options);
    case 'updowncounter':
      return meter.createUpDownCounter(metric.name, options);
    case 'histogram':
      return histograms.create({ ...metric, boundaries: metric.boundaries ?? [] });
    case 'gauge':
      return meter.createGauge(metric.name, options);
    case 'observable_gauge':
      return meter.createObservableGauge(metric.name, options);
    case 'summed_counter':
    case 'summed_updowncounter': {
      const monotonic = metric.kind === 'summed_counter';
      const summed = new SummedCounter(metric.name, metric.labels, monotonic, CARDINALITY_LIMIT);
      const observable = monotonic ? meter.createObservableCounter(metric.name, options) : meter.createObservableUpDownCounter(metric.name, options);
      observable.addCallback((result) => summed.observe(result));
      return summed;
    }
  }
}

/** Creates every catalogue instrument: histograms in `histograms`, the rest on `meter`. */
export function createInstruments(meter: Meter, histograms: SummedHistograms): Instruments {
  return Object.fromEntries(Object.entries(METRICS).map(([id, metric]) => [id, create(meter, histograms, metric)])) as Instruments;
}

/** One view per catalogue instrument the SDK records: label allow-list and cardinality limit. */
export function catalogueViews(meterName: string): ViewOptions[] {
  return (Object.values(METRICS) as MetricDefinition[])
    .filter((metric) => metric.kind !== 'histogram')
    .map((metric) => ({
      instrumentName: metric.name,
      meterName,
      attributesProcessors: [createAllowListAttributesProcessor([...metric.labels])],
      aggregationCardinalityLimit: CARDINALITY_LIMIT,
    }));
}
