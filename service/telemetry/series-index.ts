/**
 * The series of one instrument, found by their label values. Values are looked up label by label, in the
 * catalogue's label order, through nested maps: no key is built, so a lookup allocates nothing and reads
 * strings whose hashes are already known (label values are mostly constants). Keys outside the labels are
 * ignored, which is the allow-list; the same attribute set given in another key order finds the same series.
 * Past `maxSeries`, new attribute sets share one overflow series, as the SDK's cardinality limit does.
 */
import type { Attributes } from '@opentelemetry/api';

/** A series' attributes: catalogue label values, which are plain strings, numbers or booleans. */
export type LabelValues = Partial<Record<string, string | number | boolean>>;

/** The attribute set series beyond the limit are folded into, as the SDK folds them. */
const OVERFLOW: Attributes = { 'otel.metric.overflow': true };

interface Node<S> {
  children?: Map<unknown, Node<S>>;
  series?: S;
}

export class SeriesIndex<S> {
  private readonly root: Node<S> = {};
  private readonly all: S[] = [];
  private overflow: S | undefined;

  /** @param create makes a series for the attributes it will be exported with. */
  constructor(
    private readonly labels: readonly string[],
    private readonly maxSeries: number,
    private readonly create: (attributes: Attributes) => S,
  ) {}

  /** The series of `attributes`, made on first sight. */
  seriesOf(attributes: LabelValues | undefined): S {
    let node: Node<S> | undefined = this.root;
    for (const label of this.labels) {
      node = node.children?.get(attributes?.[label]);
      if (!node) return this.start(attributes);
    }
    return node.series ?? this.start(attributes);
  }

  private start(attributes: LabelValues | undefined): S {
    if (this.all.length >= this.maxSeries) return (this.overflow ??= this.create({ ...OVERFLOW }));
    const kept: Attributes = {};
    let node = this.root;
    for (const label of this.labels) {
      const value = attributes?.[label];
      if (value !== undefined) kept[label] = value;
      const children = (node.children ??= new Map<unknown, Node<S>>());
      let next = children.get(value);
      if (!next) children.set(value, (next = {}));
      node = next;
    }
    const series = this.create(kept);
    node.series = series;
    this.all.push(series);
    return series;
  }

  /** Every series, the overflow series last. */
  values(): S[] {
    return this.overflow === undefined ? this.all : [...this.all, this.overflow];
  }

  get size(): number {
    return this.all.length + (this.overflow === undefined ? 0 : 1);
  }
}
