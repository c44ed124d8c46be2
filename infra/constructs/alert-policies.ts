/**
 * Cloud Monitoring alert policies from alert definitions (see observability-definitions.ts): one policy
 * per alert, with a PromQL condition evaluated over Managed Service for Prometheus data, routed to the
 * channels that receive its severity, with the runbook linked.
 */
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';
import { toMonitoringDuration, type AlertPolicy, type AlertSeverity } from '../observability-definitions';
import { literalFile } from '../literal-file';

/** Cloud Monitoring has no "info" severity: those policies carry none (their label says `info`). */
const MONITORING_SEVERITY: Record<AlertSeverity, string | undefined> = { critical: 'CRITICAL', warning: 'WARNING', info: undefined };
export const RULE_GROUP = 'gemini-gateway';

export interface AlertPoliciesConfig {
  project: string;
  environmentName: string;
  policies: readonly AlertPolicy[];
  channelsFor: (severity: AlertSeverity) => string[];
  labels: Record<string, string>;
  monitoringApi: ProjectService;
}

export class AlertPolicies extends Construct {
  readonly policies: MonitoringAlertPolicy[];

  constructor(scope: Construct, id: string, config: AlertPoliciesConfig) {
    super(scope, id);
    const env = config.environmentName;
    this.policies = config.policies.map(
      (p) =>
        new MonitoringAlertPolicy(this, p.alert, {
          project: config.project,
          displayName: `[${env}] ${p.alert}`,
          combiner: 'OR',
          severity: MONITORING_SEVERITY[p.severity],
          notificationChannels: config.channelsFor(p.severity),
          conditions: [
            {
              displayName: p.summary,
              conditionPrometheusQueryLanguage: {
                query: p.expr,
                duration: toMonitoringDuration(p.for),
                evaluationInterval: '60s',
                alertRule: p.alert,
                ruleGroup: RULE_GROUP,
                labels: { ...p.labels, severity: p.severity },
                // The gateway's metrics only exist once it has served; the first deploy must not fail on that.
                disableMetricValidation: true,
              },
            },
          ],
          alertStrategy: { autoClose: '1800s' },
          documentation: {
            mimeType: 'text/markdown',
            subject: `[${env}] ${p.alert}: ${p.summary}`,
            // Cloud Monitoring's `${metric.label.x}` variables must reach it verbatim (see literal-file.ts).
            content: literalFile(this, `${p.alert}-documentation`, `${p.alert}.md`, [p.summary, p.description, `Runbook: ${p.runbookUrl}`].filter(Boolean).join('\n\n')),
            links: [{ displayName: 'Runbook', url: p.runbookUrl }],
          },
          userLabels: { ...config.labels, severity: p.severity },
          dependsOn: [config.monitoringApi],
        }),
    );
  }
}
