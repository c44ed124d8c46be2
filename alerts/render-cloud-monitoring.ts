/**
 * Renders the alert definitions as Cloud Monitoring alert policies with PromQL conditions: plain objects in
 * the field names of `google_monitoring_alert_policy` (CDKTF `MonitoringAlertPolicyConfig`), which `infra/`
 * turns into resources. One policy per rule (a burn alert's windows are separate policies, so each keeps its
 * own `duration`). Recording rules do not exist there, so SLI ratios are inlined.
 */
import { seconds } from './durations';
import { alertRules } from './definitions';
import { queryContext, resolveOptions, runbookUrl, scaledFor, type AlertRenderOptions, type AlertRule, type ResolvedRenderOptions, type Severity } from './ir';

export interface CloudMonitoringPromQlCondition {
  displayName: string;
  conditionPrometheusQueryLanguage: {
    query: string;
    /** Like `for`: how long the query must hold, e.g. `120s`. */
    duration: string;
    /** A multiple of 30 s. */
    evaluationInterval: string;
    alertRule: string;
    ruleGroup: string;
    labels: Record<string, string>;
  };
}

export interface CloudMonitoringAlertPolicy {
  displayName: string;
  combiner: 'OR';
  /** Cloud Monitoring has CRITICAL, ERROR and WARNING; `info` alerts carry no policy severity. */
  severity?: 'CRITICAL' | 'ERROR' | 'WARNING';
  userLabels: Record<string, string>;
  documentation: {
    subject: string;
    content: string;
    mimeType: 'text/markdown';
    links: Array<{ displayName: string; url: string }>;
  };
  conditions: CloudMonitoringPromQlCondition[];
  alertStrategy: { autoClose: string };
}

export interface CloudMonitoringAlertOptions extends AlertRenderOptions {
  /** Evaluation interval in seconds (a multiple of 30). Default 30. */
  evaluationIntervalSeconds?: number;
}

const SEVERITY: Record<Severity, CloudMonitoringAlertPolicy['severity']> = { critical: 'CRITICAL', warning: 'WARNING', info: undefined };

/**
 * Prometheus template syntax → Cloud Monitoring documentation variables. Labels become
 * `${metric.label.<name>}`; the alert's value has no equivalent and is left to the chart.
 */
export function toCloudMonitoringTemplate(text: string): string {
  return text
    .replace(/\{\{ if \$labels\.(\w+) \}\}(.*?)\{\{ else \}\}(.*?)\{\{ end \}\}/g, '$2')
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, '$${metric.label.$1}')
    .replace(/\{\{ \$value \| humanizePercentage \}\}/g, 'A high share')
    .replace(/\{\{ \$value \| humanizeDuration \}\}/g, 'a high value')
    .replace(/\{\{ printf "[^"]*" \$value \}\}/g, 'an unusually high amount of');
}

function displaySuffix(rule: AlertRule): string {
  return rule.labels?.long && rule.labels.short ? ` (${rule.labels.long}/${rule.labels.short} window)` : '';
}

function policyFor(rule: AlertRule, options: ResolvedRenderOptions, evaluationIntervalSeconds: number): CloudMonitoringAlertPolicy {
  const url = runbookUrl(rule.name, options.runbookBaseUrl);
  const labels = { severity: rule.severity, ...rule.labels };
  return {
    displayName: `${rule.name}${displaySuffix(rule)}`,
    combiner: 'OR',
    ...(SEVERITY[rule.severity] ? { severity: SEVERITY[rule.severity] } : {}),
    userLabels: { service: 'gemini-gateway', severity: rule.severity },
    documentation: {
      subject: `[${rule.severity.toUpperCase()}] ${rule.name}: ${rule.summary}`.slice(0, 255),
      content: `${rule.summary}\n\n${toCloudMonitoringTemplate(rule.description)}\n\nRunbook: ${url}`,
      mimeType: 'text/markdown',
      links: [{ displayName: 'Runbook', url }],
    },
    conditions: [
      {
        displayName: `${rule.group}/${rule.name}`,
        conditionPrometheusQueryLanguage: {
          query: rule.expr(queryContext(options, true)),
          duration: `${seconds(scaledFor(rule, options))}s`,
          evaluationInterval: `${evaluationIntervalSeconds}s`,
          alertRule: rule.name,
          ruleGroup: rule.group,
          labels,
        },
      },
    ],
    alertStrategy: { autoClose: '1800s' },
  };
}

/** Every alert rule as a Cloud Monitoring alert policy (notification channels are added by `infra/`). */
export function cloudMonitoringAlertPolicies(options: CloudMonitoringAlertOptions = {}): CloudMonitoringAlertPolicy[] {
  const resolved = resolveOptions(options);
  const interval = options.evaluationIntervalSeconds ?? 30;
  if (!(Number.isInteger(interval) && interval > 0 && interval % 30 === 0)) throw new Error(`evaluationIntervalSeconds must be a positive multiple of 30, got ${interval}`);
  return alertRules(resolved).map((rule) => policyFor(rule, resolved, interval));
}

/**
 * The rules in the shape `infra/observability-definitions.ts` validates (`alert`, `expr`, `for`, `severity`,
 * `summary`, `description`, `runbookUrl`, `labels`; Prometheus-style fields, SLI ratios inlined for Cloud
 * Monitoring). `infra` requires unique `alert` values, so a name shared by several burn windows gets the
 * window appended (`GatewayAvailabilityBudgetBurn1h5m`); the `long`/`short` labels and the runbook stay
 * those of the shared name.
 */
export interface AlertPolicyDefinition {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  summary: string;
  description: string;
  runbookUrl: string;
  labels: Record<string, string>;
}

export function alertPolicyDefinitions(options: AlertRenderOptions = {}): AlertPolicyDefinition[] {
  const resolved = resolveOptions(options);
  const rules = alertRules(resolved);
  const shared = new Set(rules.filter((r, i) => rules.findIndex((o) => o.name === r.name) !== i).map((r) => r.name));
  return rules.map((rule) => ({
    alert: shared.has(rule.name) ? `${rule.name}${Object.values(rule.labels ?? {}).join('')}` : rule.name,
    expr: rule.expr(queryContext(resolved, true)),
    for: scaledFor(rule, resolved),
    severity: rule.severity,
    summary: rule.summary,
    description: toCloudMonitoringTemplate(rule.description),
    runbookUrl: runbookUrl(rule.name, resolved.runbookBaseUrl),
    labels: { ...rule.labels },
  }));
}
