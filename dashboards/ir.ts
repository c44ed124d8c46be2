/**
 * The dashboard definition both renderers read (Grafana classic JSON, Cloud Monitoring dashboard JSON):
 * panels hold a title, a unit, PromQL queries with legends and a description that links the runbooks of
 * the alerts they help diagnose. Queries are builders over a context, so the Grafana output can use
 * template variables and `$__rate_interval` while Cloud Monitoring gets fixed windows.
 */
import type { AlertName } from '../alerts/ir';
import type { Matcher } from '../alerts/promql';

/** Units in the IR; each renderer maps them to its own unit ids. */
export type PanelUnit = 'seconds' | 'ratio' | 'requests_per_second' | 'per_second' | 'tokens_per_second' | 'usd_per_hour' | 'usd' | 'count' | 'bytes' | 'state';

export interface DashboardQueryContext {
  /** Matcher text selecting the dashboard's targets: `job=~"$job", instance=~"$instance"` (Grafana) or empty. */
  sel: string;
  /** The model filter for series that carry `gen_ai_request_model` (Grafana: `=~"$model"`), if any. */
  model?: Matcher;
  /** The range of `rate()` and friends: `$__rate_interval` (Grafana) or a fixed `5m`. */
  rate: string;
}

export interface PanelQuery {
  expr(q: DashboardQueryContext): string;
  /** Legend with `{{label}}` placeholders (Grafana syntax; converted for Cloud Monitoring). */
  legend: string;
}

export interface ChartPanel {
  kind: 'timeseries' | 'stat';
  title: string;
  description: string;
  unit: PanelUnit;
  queries: PanelQuery[];
  /** Alerts this panel helps confirm; the rendered description links their runbooks. */
  alerts?: AlertName[];
  /** A threshold line (an SLO target or an alert threshold, taken from the alert definitions). */
  threshold?: number;
  /** Which side of `threshold` is bad. Default `above`. */
  badWhen?: 'above' | 'below';
  /** Width on Grafana's 24-column grid (Cloud Monitoring doubles it on its 48). Default 8. */
  width?: 6 | 8 | 12 | 24;
}

export interface TextPanel {
  kind: 'text';
  title: string;
  /** Markdown. */
  content: string;
  width?: 6 | 8 | 12 | 24;
}

export type Panel = ChartPanel | TextPanel;

export interface DashboardRow {
  title: string;
  panels: Panel[];
}

export interface DashboardDefinition {
  /** File name and uid suffix: the uid is `gemini-gateway-<id>`. */
  id: string;
  title: string;
  description: string;
  rows: DashboardRow[];
}

export const DASHBOARD_TAG = 'gemini-gateway';

/** Dashboard uids are derived from the id, so links between dashboards stay stable. */
export function dashboardUid(dashboard: Pick<DashboardDefinition, 'id'>): string {
  const uid = `gemini-gateway-${dashboard.id}`;
  if (uid.length > 40 || !/^[a-z0-9-]+$/.test(uid)) throw new Error(`dashboard uid ${uid} must be at most 40 lowercase letters, digits or dashes`);
  return uid;
}

/** Every query of a dashboard, rendered with `q` (for checks and tests). */
export function dashboardQueries(dashboard: DashboardDefinition, q: DashboardQueryContext): string[] {
  return dashboard.rows.flatMap((row) => row.panels.flatMap((panel) => (panel.kind === 'text' ? [] : panel.queries.map((query) => query.expr(q)))));
}
