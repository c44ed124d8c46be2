/** PromQL builders for dashboard panels: every series name comes from the metric catalogue. */
import type { Matcher } from '../alerts/promql';
import { selector } from '../alerts/promql';
import type { Duration } from '../alerts/durations';
import type { DashboardQueryContext, PanelQuery } from './ir';

const by = (labels: readonly string[]): string => (labels.length > 0 ? ` by (${labels.join(', ')})` : '');

/** `{…}` with the dashboard's target matchers, the model filter when `withModel`, and `matchers`. */
export function sel(q: DashboardQueryContext, withModel: boolean, ...matchers: Matcher[]): string {
  return selector(q.sel, withModel ? q.model : undefined, ...matchers);
}

/** `sum by (labels) (rate(series{…}[range]))`; `window` fixes the range instead of the dashboard's. */
export function sumRate(q: DashboardQueryContext, series: string, labels: readonly string[], options: { model?: boolean; matchers?: Matcher[]; window?: Duration } = {}): string {
  return `sum${by(labels)} (rate(${series}${sel(q, options.model ?? false, ...(options.matchers ?? []))}[${options.window ?? q.rate}]))`;
}

/** `histogram_quantile(p, sum by (le, labels) (rate(bucket{…}[range])))`. */
export function quantile(q: DashboardQueryContext, p: number, bucket: string, labels: readonly string[], options: { model?: boolean; matchers?: Matcher[] } = {}): string {
  return `histogram_quantile(${p}, sum by (${['le', ...labels].join(', ')}) (rate(${bucket}${sel(q, options.model ?? false, ...(options.matchers ?? []))}[${q.rate}])))`;
}

export function query(expr: (q: DashboardQueryContext) => string, legend: string): PanelQuery {
  return { expr, legend };
}
