/**
 * Renders a dashboard definition as Grafana "classic" dashboard JSON (importable through Dashboards →
 * Import, or provisioned from a file): a Prometheus data-source variable, `job`, `instance` and `model`
 * variables, `$__rate_interval` windows, a unit and a description with runbook links on every panel.
 */
import { runbookUrl, DEFAULT_RUNBOOK_BASE_URL, type AlertName } from '../alerts/ir';
import { METRICS, promLabel, promName, promTotal } from '../service/telemetry/metrics-catalogue';
import { ATTR_GEN_AI_REQUEST_MODEL } from '../service/telemetry/semconv';
import { DASHBOARD_TAG, dashboardUid, type ChartPanel, type DashboardDefinition, type DashboardQueryContext, type Panel, type PanelUnit } from './ir';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const PANEL_HEIGHT = 8;
const GRID_COLUMNS = 24;

const UNITS: Record<PanelUnit, string> = {
  seconds: 's',
  ratio: 'percentunit',
  requests_per_second: 'reqps',
  per_second: 'ops',
  tokens_per_second: 'suffix: tok/s',
  usd_per_hour: 'currencyUSD',
  usd: 'currencyUSD',
  count: 'short',
  bytes: 'bytes',
  state: 'none',
};

export const GRAFANA_QUERY_CONTEXT: DashboardQueryContext = {
  sel: 'job=~"$job", instance=~"$instance"',
  model: [promLabel(ATTR_GEN_AI_REQUEST_MODEL), '=~', '$model'],
  rate: '$__rate_interval',
};

export interface GrafanaRenderOptions {
  runbookBaseUrl?: string;
}

function runbookLinks(alerts: readonly AlertName[] | undefined, baseUrl: string): Array<{ title: string; url: string; targetBlank: boolean }> {
  return (alerts ?? []).map((name) => ({ title: `Runbook: ${name}`, url: runbookUrl(name, baseUrl), targetBlank: true }));
}

function descriptionOf(panel: ChartPanel, baseUrl: string): string {
  const links = (panel.alerts ?? []).map((name) => `[${name}](${runbookUrl(name, baseUrl)})`);
  return links.length > 0 ? `${panel.description}\n\nRunbooks: ${links.join(', ')}` : panel.description;
}

function thresholds(panel: ChartPanel): object {
  const [below, above] = panel.badWhen === 'below' ? ['red', 'green'] : ['green', 'red'];
  const steps: Array<{ color: string; value: number | null }> = [{ color: panel.threshold === undefined ? 'green' : below, value: null }];
  if (panel.threshold !== undefined) steps.push({ color: above, value: panel.threshold });
  return { mode: 'absolute', steps };
}

function chart(panel: ChartPanel, id: number, gridPos: object, baseUrl: string): object {
  const targets = panel.queries.map((query, i) => ({
    datasource: DATASOURCE,
    refId: String.fromCharCode(65 + i),
    expr: query.expr(GRAFANA_QUERY_CONTEXT),
    legendFormat: query.legend,
    range: true,
  }));
  const common = {
    id,
    type: panel.kind,
    title: panel.title,
    description: descriptionOf(panel, baseUrl),
    datasource: DATASOURCE,
    gridPos,
    links: runbookLinks(panel.alerts, baseUrl),
    targets,
  };
  if (panel.kind === 'stat') {
    return {
      ...common,
      fieldConfig: { defaults: { unit: UNITS[panel.unit], thresholds: thresholds(panel), color: { mode: 'thresholds' } }, overrides: [] },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto', justifyMode: 'auto', orientation: 'auto' },
    };
  }
  return {
    ...common,
    fieldConfig: {
      defaults: {
        unit: UNITS[panel.unit],
        min: panel.unit === 'ratio' || panel.unit === 'count' ? 0 : undefined,
        thresholds: thresholds(panel),
        color: { mode: 'palette-classic' },
        custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false, thresholdsStyle: { mode: panel.threshold !== undefined ? 'dashed' : 'off' } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

function textPanel(panel: Extract<Panel, { kind: 'text' }>, id: number, gridPos: object): object {
  return { id, type: 'text', title: panel.title, gridPos, options: { mode: 'markdown', content: panel.content } };
}

function queryVariable(name: string, label: string, query: string, includeAll: boolean): object {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2,
    sort: 1,
    multi: true,
    includeAll,
    ...(includeAll ? { allValue: '.*', current: { selected: true, text: ['All'], value: ['$__all'] } } : { current: {} }),
    regex: '',
    hide: 0,
    options: [],
  };
}

function templating(): object {
  const requests = promTotal(METRICS.requests);
  return {
    list: [
      { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', regex: '', hide: 0, current: {}, options: [], refresh: 1 },
      queryVariable('job', 'Job', `label_values(${promName(METRICS.httpServerActiveRequests)}, job)`, false),
      queryVariable('instance', 'Instance', `label_values(${promName(METRICS.httpServerActiveRequests)}{job=~"$job"}, instance)`, true),
      queryVariable('model', 'Model', `label_values(${requests}{job=~"$job"}, ${promLabel(ATTR_GEN_AI_REQUEST_MODEL)})`, true),
    ],
  };
}

export function grafanaDashboard(dashboard: DashboardDefinition, options: GrafanaRenderOptions = {}): object {
  const baseUrl = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  const panels: object[] = [];
  let id = 1;
  let y = 0;
  for (const row of dashboard.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: GRID_COLUMNS, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? 8;
      if (x + w > GRID_COLUMNS) {
        x = 0;
        y += PANEL_HEIGHT;
      }
      const gridPos = { h: PANEL_HEIGHT, w, x, y };
      panels.push(panel.kind === 'text' ? textPanel(panel, id++, gridPos) : chart(panel, id++, gridPos, baseUrl));
      x += w;
    }
    y += PANEL_HEIGHT;
  }
  return {
    uid: dashboardUid(dashboard),
    title: dashboard.title,
    description: dashboard.description,
    tags: [DASHBOARD_TAG],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    annotations: {
      list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }],
    },
    links: [{ title: 'Gemini gateway', type: 'dashboards', tags: [DASHBOARD_TAG], asDropdown: true, includeVars: true, keepTime: true, targetBlank: false, icon: 'external link', tooltip: '', url: '' }],
    templating: templating(),
    panels,
  };
}
