/**
 * Every generated file of `alerts/` and `dashboards/`, by path relative to the repository root.
 * `npm run render:observability` writes them; a test renders them again and fails when the committed copies drift.
 */
import { cloudMonitoringDashboard } from '../dashboards/render-cloud-monitoring';
import { grafanaDashboard } from '../dashboards/render-grafana';
import { DASHBOARDS } from '../dashboards/definitions';
import { promtoolTestFiles } from './promtool-tests';
import { cloudMonitoringAlertPolicies } from './render-cloud-monitoring';
import { prometheusRuleFiles } from './render-prometheus';

/** Folders whose every file is generated (a file there that is not rendered any more is stale). */
export const RENDERED_DIRS = ['alerts/rendered', 'dashboards/rendered'] as const;

export const PROMETHEUS_RULES_DIR = 'alerts/rendered/prometheus';
export const PROMTOOL_TESTS_DIR = 'alerts/rendered/promtool';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function renderedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, content] of Object.entries(prometheusRuleFiles())) files.set(`${PROMETHEUS_RULES_DIR}/${name}`, content);
  for (const [name, content] of Object.entries(promtoolTestFiles('../prometheus'))) files.set(`${PROMTOOL_TESTS_DIR}/${name}`, content);
  files.set('alerts/rendered/cloud-monitoring/alert-policies.json', json(cloudMonitoringAlertPolicies()));
  for (const dashboard of DASHBOARDS) {
    files.set(`dashboards/rendered/grafana/${dashboard.id}.json`, json(grafanaDashboard(dashboard)));
    files.set(`dashboards/rendered/cloud-monitoring/${dashboard.id}.json`, json(cloudMonitoringDashboard(dashboard)));
  }
  return files;
}
