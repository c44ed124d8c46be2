/** The dashboards' public surface: definitions and the two rendered forms (`infra/` uses the Cloud Monitoring one). */
import type { SloTargets } from '../alerts/slo';
import { DASHBOARDS, dashboardsFor } from './definitions';
import { dashboardUid } from './ir';
import { cloudMonitoringDashboard, type CloudMonitoringDashboardOptions } from './render-cloud-monitoring';
import { grafanaDashboard, type GrafanaRenderOptions } from './render-grafana';

export { DASHBOARDS } from './definitions';
export { dashboardUid, type DashboardDefinition } from './ir';
export { CLOUD_MONITORING_QUERY_CONTEXT } from './render-cloud-monitoring';
export { GRAFANA_QUERY_CONTEXT } from './render-grafana';

export interface RenderedDashboard {
  /** The definition's id (`overview`, `upstream`, `tokens-cost`, `policy`). */
  id: string;
  /** The dashboard JSON, as an object (`JSON.stringify` it for `google_monitoring_dashboard.dashboard_json`). */
  json: object;
}

/** Cloud Monitoring dashboards (for `google_monitoring_dashboard`). */
export function cloudMonitoringDashboards(options: CloudMonitoringDashboardOptions = {}): RenderedDashboard[] {
  return DASHBOARDS.map((d) => ({ id: d.id, json: cloudMonitoringDashboard(d, options) }));
}

/** Grafana dashboards (classic JSON model). */
export function grafanaDashboards(options: GrafanaRenderOptions = {}): RenderedDashboard[] {
  return DASHBOARDS.map((d) => ({ id: d.id, json: grafanaDashboard(d, options) }));
}

/**
 * The dashboards in the shape `infra/observability-definitions.ts` validates: `{ name, dashboard }`, named by
 * uid. `slo`: an environment's own objective and period (default: the repository's, as rendered).
 */
export function dashboardDefinitions(options: CloudMonitoringDashboardOptions & { slo?: SloTargets } = {}): Array<{ name: string; dashboard: { displayName: string } & Record<string, unknown> }> {
  const { slo, ...render } = options;
  return (slo ? dashboardsFor(slo) : DASHBOARDS).map((d) => ({ name: dashboardUid(d), dashboard: cloudMonitoringDashboard(d, render) as { displayName: string } & Record<string, unknown> }));
}
