/**
 * Renders a dashboard definition as a Cloud Monitoring dashboard (`projects.dashboards` JSON, Mosaic
 * layout) whose charts run PromQL (`timeSeriesQuery.prometheusQuery`) against Managed Service for
 * Prometheus. Differences from Grafana: fixed `[5m]` windows, pinned dashboard filters instead of template
 * variables, `${metric.labels.x}` legends, UCUM units, 48 columns. Widgets have no description field, so a
 * closing text tile lists the runbooks of the alerts the dashboard helps confirm.
 */
import { runbookUrl, DEFAULT_RUNBOOK_BASE_URL, type AlertName } from '../alerts/ir';
import { promLabel } from '../service/telemetry/metrics-catalogue';
import { ATTR_GEN_AI_REQUEST_MODEL } from '../service/telemetry/semconv';
import { DASHBOARD_TAG, type ChartPanel, type DashboardDefinition, type DashboardQueryContext, type PanelUnit } from './ir';

const COLUMNS = 48;
const CHART_HEIGHT = 16;
const HEADER_HEIGHT = 4;

const UNITS: Record<PanelUnit, string> = {
  seconds: 's',
  ratio: '1',
  requests_per_second: '1/s',
  per_second: '1/s',
  tokens_per_second: '{token}/s',
  usd_per_hour: '{USD}/h',
  usd: '{USD}',
  count: '1',
  bytes: 'By',
  state: '1',
};

export const CLOUD_MONITORING_QUERY_CONTEXT: DashboardQueryContext = { sel: '', rate: '5m' };

export interface CloudMonitoringDashboardOptions {
  runbookBaseUrl?: string;
}

/** `{{label}}` (Grafana legend) → `${metric.labels.label}`. */
export function toLegendTemplate(legend: string): string {
  return legend.replace(/\{\{\s*(\w+)\s*\}\}/g, '$${metric.labels.$1}');
}

function widget(panel: ChartPanel): object {
  const queries = panel.queries.map((q) => ({ prometheusQuery: q.expr(CLOUD_MONITORING_QUERY_CONTEXT), unitOverride: UNITS[panel.unit] }));
  const direction = panel.badWhen === 'below' ? 'BELOW' : 'ABOVE';
  const threshold = panel.threshold !== undefined ? { value: panel.threshold, color: 'RED', direction, label: 'threshold' } : undefined;
  if (panel.kind === 'stat') {
    // A scorecard threshold takes no target axis.
    return { title: panel.title, scorecard: { timeSeriesQuery: queries[0], sparkChartView: { sparkChartType: 'SPARK_LINE' }, thresholds: threshold ? [threshold] : [] } };
  }
  const thresholds = threshold ? [{ ...threshold, targetAxis: 'Y1' }] : [];
  return {
    title: panel.title,
    xyChart: {
      dataSets: panel.queries.map((q, i) => ({
        timeSeriesQuery: queries[i],
        plotType: 'LINE',
        legendTemplate: toLegendTemplate(q.legend),
        targetAxis: 'Y1',
        minAlignmentPeriod: '60s',
      })),
      thresholds,
      yAxis: { scale: 'LINEAR', label: '' },
      chartOptions: { mode: 'COLOR' },
    },
  };
}

export function cloudMonitoringDashboard(dashboard: DashboardDefinition, options: CloudMonitoringDashboardOptions = {}): object {
  const baseUrl = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  const tiles: object[] = [];
  let y = 0;
  const alerts = new Set<AlertName>();
  for (const row of dashboard.rows) {
    tiles.push({ xPos: 0, yPos: y, width: COLUMNS, height: HEADER_HEIGHT, widget: { title: row.title, sectionHeader: { subtitle: '', dividerBelow: true } } });
    y += HEADER_HEIGHT;
    let x = 0;
    for (const panel of row.panels) {
      const width = (panel.width ?? 8) * 2;
      if (x + width > COLUMNS) {
        x = 0;
        y += CHART_HEIGHT;
      }
      const content = panel.kind === 'text' ? { title: panel.title, text: { content: panel.content, format: 'MARKDOWN' } } : widget(panel);
      if (panel.kind !== 'text') for (const name of panel.alerts ?? []) alerts.add(name);
      tiles.push({ xPos: x, yPos: y, width, height: CHART_HEIGHT, widget: content });
      x += width;
    }
    y += CHART_HEIGHT;
  }
  if (alerts.size > 0) {
    const list = [...alerts].map((name) => `- [${name}](${runbookUrl(name, baseUrl)})`).join('\n');
    tiles.push({ xPos: 0, yPos: y, width: COLUMNS, height: 8, widget: { title: 'Runbooks', text: { content: `${dashboard.description}\n\nRunbooks of the alerts this dashboard confirms:\n${list}`, format: 'MARKDOWN' } } });
  }
  return {
    displayName: dashboard.title,
    labels: { [DASHBOARD_TAG]: '' },
    mosaicLayout: { columns: COLUMNS, tiles },
    dashboardFilters: [
      { labelKey: 'job', filterType: 'RESOURCE_LABEL' },
      { labelKey: 'instance', filterType: 'RESOURCE_LABEL' },
      { labelKey: promLabel(ATTR_GEN_AI_REQUEST_MODEL), filterType: 'METRIC_LABEL' },
    ],
  };
}
