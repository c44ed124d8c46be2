/** A metric reader for tests: collect on demand and look data points up by instrument name. */
import type { Attributes } from '@opentelemetry/api';
import { MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';

export class TestMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** Data points of one instrument: attributes and value (a number, or a histogram's buckets/count/sum). */
  async points(name: string): Promise<Array<DataPoint<number | Histogram>>> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<DataPoint<number | Histogram>>);
  }

  async attributes(name: string): Promise<Attributes[]> {
    return (await this.points(name)).map((p) => p.attributes);
  }

  async value(name: string, attributes: Attributes): Promise<number | Histogram | undefined> {
    return (await this.points(name)).find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes))?.value;
  }
}
