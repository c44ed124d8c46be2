/**
 * Node runtime saturation: event-loop delay (from `perf_hooks.monitorEventLoopDelay`), event-loop
 * utilisation and V8 heap use, observed at collection time. Delay percentiles cover the time since the
 * previous collection (the histogram is reset on each read), so a spike between two scrapes is not lost in a
 * process-lifetime average.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { diag, type BatchObservableResult, type Meter, type Observable } from '@opentelemetry/api';
import type { Instruments } from './instruments';
import { ATTR_V8JS_HEAP_SPACE_NAME } from './semconv';

const NS_PER_S = 1e9;
/** Resolution of the delay sampler; also the smallest delay it can see. */
const RESOLUTION_MS = 10;
/** A read sooner than this after the previous one reports the previous window again (too few samples). */
const MIN_WINDOW_MS = 1000;

interface Snapshot {
  p50: number;
  p99: number;
  max: number;
  utilization: number;
}

export class RuntimeMetrics {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private lastRead = Date.now();
  private last: Snapshot = { p50: 0, p99: 0, max: 0, utilization: 0 };
  private readonly observables: Observable[];
  private readonly callback = (result: BatchObservableResult): void => this.observe(result);

  constructor(
    private readonly meter: Meter,
    private readonly instruments: Instruments,
  ) {
    this.histogram.enable();
    this.observables = [instruments.eventLoopDelayP50, instruments.eventLoopDelayP99, instruments.eventLoopDelayMax, instruments.eventLoopUtilization, instruments.heapUsed];
    meter.addBatchObservableCallback(this.callback, this.observables);
  }

  private snapshot(): Snapshot {
    const now = Date.now();
    if (now - this.lastRead < MIN_WINDOW_MS || this.histogram.count === 0) return this.last;
    const elu = performance.eventLoopUtilization(this.elu);
    this.elu = performance.eventLoopUtilization();
    this.last = {
      p50: this.histogram.percentile(50) / NS_PER_S,
      p99: this.histogram.percentile(99) / NS_PER_S,
      max: this.histogram.max / NS_PER_S,
      utilization: elu.utilization,
    };
    this.histogram.reset();
    this.lastRead = now;
    return this.last;
  }

  private observe(result: BatchObservableResult): void {
    try {
      const s = this.snapshot();
      result.observe(this.instruments.eventLoopDelayP50, s.p50);
      result.observe(this.instruments.eventLoopDelayP99, s.p99);
      result.observe(this.instruments.eventLoopDelayMax, s.max);
      result.observe(this.instruments.eventLoopUtilization, s.utilization);
      for (const space of getHeapSpaceStatistics()) {
        result.observe(this.instruments.heapUsed, space.space_used_size, { [ATTR_V8JS_HEAP_SPACE_NAME]: space.space_name });
      }
    } catch (error) {
      diag.error('gateway telemetry: runtime metrics failed', error);
    }
  }

  stop(): void {
    this.meter.removeBatchObservableCallback(this.callback, this.observables);
    this.histogram.disable();
  }
}
