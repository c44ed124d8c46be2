/**
 * The alerts' public surface, for `infra/` and tools: the definitions, the Prometheus rule files, the Cloud
 * Monitoring alert policies and the runbook link pattern.
 */
export { ALERT_NAMES, ALERT_RULES, THRESHOLDS } from './definitions';
export { DEFAULT_JOB, DEFAULT_RUNBOOK_BASE_URL, RULE_GROUPS, runbookUrl, type AlertName, type AlertRenderOptions, type AlertRule, type Severity } from './ir';
export {
  alertPolicyDefinitions,
  cloudMonitoringAlertPolicies,
  type AlertPolicyDefinition,
  type CloudMonitoringAlertOptions,
  type CloudMonitoringAlertPolicy,
  type CloudMonitoringPromQlCondition,
} from './render-cloud-monitoring';
export { prometheusRuleFile, prometheusRuleFiles, type PrometheusRuleFile } from './render-prometheus';
export { BURN_WINDOWS, SLOS, SLO_PERIOD, errorBudget, type BurnWindow, type Slo } from './slo';
