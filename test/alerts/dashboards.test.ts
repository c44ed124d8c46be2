/**
 * The dashboards: every panel has a unit and a description, every query uses only catalogue series and
 * their labels, every alert is linked from a panel, and both rendered forms carry what their tools need.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALERT_NAMES } from '../../alerts/definitions';
import { DASHBOARDS, cloudMonitoringDashboards, grafanaDashboards, CLOUD_MONITORING_QUERY_CONTEXT, GRAFANA_QUERY_CONTEXT } from '../../dashboards';
import { dashboardQueries, dashboardUid, type ChartPanel } from '../../dashboards/ir';
import { toLegendTemplate } from '../../dashboards/render-cloud-monitoring';
import { METRICS, allPromSeriesNames, promLabelsOf, promSeriesNames } from '../../service/telemetry/metrics-catalogue';
import { groupingLabels, metricNames, selectorLabels } from './promql-names';

const charts = (d: (typeof DASHBOARDS)[number]): ChartPanel[] => d.rows.flatMap((r) => r.panels).filter((p): p is ChartPanel => p.kind !== 'text');

test('the four dashboards exist with stable uids derived from their ids', () => {
  expect(DASHBOARDS.map((d) => dashboardUid(d))).toEqual(['gemini-gateway-overview', 'gemini-gateway-upstream', 'gemini-gateway-tokens-cost', 'gemini-gateway-policy']);
});

test('every chart has a title, a unit, a description and at least one query', () => {
  for (const dashboard of DASHBOARDS) {
    for (const panel of charts(dashboard)) {
      expect([panel.title, panel.description.length > 10, panel.queries.length > 0, typeof panel.unit]).toEqual([panel.title, true, true, 'string']);
    }
  }
});

test('every alert is linked from at least one panel (its runbook names the panel)', () => {
  const linked = new Set(DASHBOARDS.flatMap((d) => charts(d).flatMap((p) => p.alerts ?? [])));
  expect([...ALERT_NAMES].filter((name) => !linked.has(name))).toEqual([]);
});

test('the dashboards and panels runbooks point to exist (bold: dashboard title, italics: panel title)', () => {
  const dir = join(__dirname, '..', '..', 'alerts', 'runbooks');
  const dashboards = new Set(DASHBOARDS.map((d) => d.title));
  const panels = new Set(DASHBOARDS.flatMap((d) => d.rows.flatMap((r) => r.panels.map((p) => p.title))));
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    const diagnosis = text.slice(text.indexOf('## Diagnosis'), text.indexOf('## Mitigation'));
    expect(diagnosis.length).toBeGreaterThan(0);
    // Titles may wrap across lines in the Markdown source.
    const titles = (re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!.replace(/\s+/g, ' '));
    for (const title of titles(/\*\*([^*]+)\*\*/g)) expect([file, title, dashboards.has(title)]).toEqual([file, title, true]);
    for (const title of titles(/(?<!\*)\*([^*]+)\*(?!\*)/g)) expect([file, title, panels.has(title)]).toEqual([file, title, true]);
    expect([file, /\*\*Gemini gateway \/ [^*]+\*\*/.test(diagnosis) && /`{3}/.test(diagnosis)]).toEqual([file, true]);
  }
});

describe('every query uses only catalogue series and their labels', () => {
  const catalogue = allPromSeriesNames();
  const labelsOf = new Map<string, string[]>(Object.values(METRICS).flatMap((m) => promSeriesNames(m).map((s) => [s, promLabelsOf(m)] as [string, string[]])));
  labelsOf.set('up', []);
  const queries = DASHBOARDS.flatMap((d) =>
    [GRAFANA_QUERY_CONTEXT, CLOUD_MONITORING_QUERY_CONTEXT].flatMap((q, i) => dashboardQueries(d, q).map((expr, n) => [d.id, i === 0 ? 'Grafana' : 'Cloud Monitoring', n, expr] as const)),
  );

  test.each(queries)('%s, %s query %i', (_dashboard, _tool, _n, expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect([name, catalogue.has(name) || name === 'up']).toEqual([name, true]);
    const allowed = new Set(['job', 'instance', ...names.flatMap((n) => labelsOf.get(n) ?? [])]);
    for (const { metric, labels } of selectorLabels(expr)) for (const label of labels) expect([metric, label, allowed.has(label)]).toEqual([metric, label, true]);
    for (const label of groupingLabels(expr)) expect([label, allowed.has(label)]).toEqual([label, true]);
  });
});

describe('Grafana JSON', () => {
  const dashboards = grafanaDashboards();

  test('has datasource, job, instance and model variables, and every panel a unit and description', () => {
    for (const { json } of dashboards) {
      const d = json as { uid: string; templating: { list: Array<{ name: string }> }; panels: Array<Record<string, unknown>> };
      expect(d.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance', 'model']);
      const panels = d.panels.filter((p) => p.type === 'timeseries' || p.type === 'stat');
      expect(panels.length).toBeGreaterThan(3);
      for (const panel of panels) {
        const p = panel as { datasource: unknown; description: string; fieldConfig: { defaults: { unit: string } }; targets: Array<{ refId: string; expr: string }> };
        expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.fieldConfig.defaults.unit).toEqual(expect.any(String));
        expect(p.description.length).toBeGreaterThan(10);
        for (const target of p.targets) {
          expect(target.refId).toMatch(/^[A-Z]$/);
          expect(target.expr).toMatch(/job=~"\$job", instance=~"\$instance"/);
          expect(target.expr).not.toMatch(/\[5m\]/);
        }
      }
    }
  });

  test('panels stay inside the 24-column grid and do not overlap', () => {
    for (const { json } of dashboards) {
      const cells = new Set<string>();
      for (const panel of (json as { panels: Array<{ gridPos: { x: number; y: number; w: number; h: number } }> }).panels) {
        const { x, y, w, h } = panel.gridPos;
        expect(x + w).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`)).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
    }
  });
});

describe('Cloud Monitoring JSON', () => {
  test('charts run PromQL with fixed windows, no Grafana variables, UCUM units, legends as metric labels', () => {
    for (const { json } of cloudMonitoringDashboards()) {
      const text = JSON.stringify(json);
      expect(text).not.toMatch(/\$__|\$job|\$instance|\$model|\{\{/);
      const d = json as { mosaicLayout: { columns: number; tiles: Array<{ xPos: number; width: number; widget: Record<string, unknown> }> }; dashboardFilters: unknown[] };
      expect(d.mosaicLayout.columns).toBe(48);
      for (const tile of d.mosaicLayout.tiles) expect(tile.xPos + tile.width).toBeLessThanOrEqual(48);
      const charts = d.mosaicLayout.tiles.map((t) => t.widget.xyChart as { dataSets: Array<{ timeSeriesQuery: { prometheusQuery: string; unitOverride: string } }> } | undefined).filter((c) => c !== undefined);
      expect(charts.length).toBeGreaterThan(3);
      for (const chart of charts) for (const set of chart.dataSets) expect(set.timeSeriesQuery).toEqual({ prometheusQuery: expect.any(String), unitOverride: expect.any(String) });
      expect(d.dashboardFilters).toHaveLength(3);
    }
    expect(toLegendTemplate('{{gen_ai_request_model}} → {{to}}')).toBe('${metric.labels.gen_ai_request_model} → ${metric.labels.to}');
  });
});
