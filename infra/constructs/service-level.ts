/**
 * Is the gateway up, and is it meeting its objective: an uptime check on `/healthz` through the public
 * entry (with an alert when it fails from several regions), and an availability SLO. On Cloud Run the SLO
 * is request-based on Cloud Run's own request counts (5xx are bad); on GKE, where no request counter
 * outside the app exists yet, it is window-based on the uptime check.
 */
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringCustomService } from '@cdktf/provider-google/lib/monitoring-custom-service';
import { MonitoringSlo } from '@cdktf/provider-google/lib/monitoring-slo';
import { MonitoringUptimeCheckConfig } from '@cdktf/provider-google/lib/monitoring-uptime-check-config';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { HEALTH_PATH } from '../naming';

export type AvailabilitySli = { kind: 'cloud-run-requests'; serviceName: string } | { kind: 'uptime-check' };

export interface ServiceLevelConfig {
  project: string;
  environmentName: string;
  serviceId: string;
  /** Host the uptime check calls over HTTPS (the load balancer's domain or the run.app host). */
  host: string;
  /** The check presents a Google-signed OIDC token (for a service behind IAM). */
  authenticated: boolean;
  sli: AvailabilitySli;
  objective: number;
  periodDays: number;
  notificationChannels: string[];
  /** The runbook the uptime alert links (the gateway-down one: the same causes, seen from outside). */
  runbookUrl: string;
  labels: Record<string, string>;
  monitoringApi: ProjectService;
}

export class ServiceLevel extends Construct {
  readonly uptimeCheck: MonitoringUptimeCheckConfig;
  readonly slo: MonitoringSlo;

  constructor(scope: Construct, id: string, config: ServiceLevelConfig) {
    super(scope, id);
    const { project, environmentName: env } = config;
    this.uptimeCheck = new MonitoringUptimeCheckConfig(this, 'uptime', {
      project,
      displayName: `[${env}] Gemini gateway ${HEALTH_PATH}`,
      period: '60s',
      timeout: '10s',
      checkerType: 'STATIC_IP_CHECKERS',
      monitoredResource: { type: 'uptime_url', labels: { project_id: project, host: config.host } },
      httpCheck: {
        path: HEALTH_PATH,
        port: 443,
        useSsl: true,
        validateSsl: true,
        requestMethod: 'GET',
        acceptedResponseStatusCodes: [{ statusClass: 'STATUS_CLASS_2XX' }],
        ...(config.authenticated ? { serviceAgentAuthentication: { type: 'OIDC_TOKEN' } } : {}),
      },
      userLabels: config.labels,
      dependsOn: [config.monitoringApi],
    });
    // Built with format(): a reference inside a string with double quotes breaks `cdktf synth --hcl`.
    const checkPassed = Token.asString(
      Fn.format(Fn.rawString('metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="%s"'), [
        this.uptimeCheck.uptimeCheckId,
      ]),
    );

    new MonitoringAlertPolicy(this, 'uptime-failing', {
      project,
      displayName: `[${env}] Gemini gateway uptime check failing`,
      combiner: 'OR',
      severity: 'CRITICAL',
      notificationChannels: config.notificationChannels,
      conditions: [
        {
          displayName: `${HEALTH_PATH} fails from more than one checker region`,
          conditionThreshold: {
            filter: checkPassed,
            aggregations: [{ alignmentPeriod: '1200s', perSeriesAligner: 'ALIGN_NEXT_OLDER', crossSeriesReducer: 'REDUCE_COUNT_FALSE', groupByFields: ['resource.label.*'] }],
            comparison: 'COMPARISON_GT',
            thresholdValue: 1,
            duration: '60s',
            trigger: { count: 1 },
          },
        },
      ],
      documentation: {
        mimeType: 'text/markdown',
        content: `The uptime check of \`https://${config.host}${HEALTH_PATH}\` fails: callers probably cannot reach the gateway.\n\nRunbook: ${config.runbookUrl}`,
        links: [{ displayName: 'Runbook', url: config.runbookUrl }],
      },
      userLabels: config.labels,
    });

    const service = new MonitoringCustomService(this, 'service', {
      project,
      serviceId: config.serviceId,
      displayName: `[${env}] Gemini gateway`,
      userLabels: config.labels,
      dependsOn: [config.monitoringApi],
    });
    this.slo = new MonitoringSlo(this, 'availability', {
      project,
      service: service.serviceId,
      sloId: 'availability',
      displayName: `[${env}] ${(config.objective * 100).toFixed(2)}% of requests succeed over ${config.periodDays} days`,
      goal: config.objective,
      rollingPeriodDays: config.periodDays,
      ...sli(config.sli, checkPassed),
      userLabels: config.labels,
    });
  }
}

function sli(kind: AvailabilitySli, checkPassed: string): Pick<ConstructorParameters<typeof MonitoringSlo>[2], 'requestBasedSli' | 'windowsBasedSli'> {
  if (kind.kind === 'uptime-check') return { windowsBasedSli: { windowPeriod: '300s', goodBadMetricFilter: checkPassed } };
  const requests = `metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.label.service_name="${kind.serviceName}"`;
  return { requestBasedSli: { goodTotalRatio: { totalServiceFilter: requests, badServiceFilter: `${requests} AND metric.label.response_code_class="5xx"` } } };
}
