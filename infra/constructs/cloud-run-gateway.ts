/**
 * The gateway on Cloud Run (v2): the app container plus the Managed Service for Prometheus sidecar that
 * scrapes its `/metrics`, secrets mounted from Secret Manager, Direct VPC egress to Redis, probes on
 * `/healthz`, and IAM invokers only as the environment names them.
 *
 * Gradual rollout: every revision is named `<service>-<tag>-<hash of its settings>`. While the environment
 * names a `stableRevision`, that revision keeps `100 - canaryPercent` percent of the traffic (tag `stable`)
 * and the newest takes the rest (tag `canary`); without it the newest takes everything.
 */
import { createHash } from 'node:crypto';
import { CloudRunV2Service, type CloudRunV2ServiceTemplateContainersEnv, type CloudRunV2ServiceTraffic } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_JOB } from '../../alerts';
import type { Environment } from '../environment-schema';
import type { GatewayRuntime } from '../gateway-runtime';
import { GATEWAY_PORT, HEALTH_PATH, METRICS_PATH, tagSlug } from '../naming';
import { PlainSecret } from './plain-secret';

/** Google's Managed Service for Prometheus collector for Cloud Run, pinned. */
export const METRICS_SIDECAR_IMAGE = 'us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar:1.2.0';
const METRICS_CONFIG_DIR = '/etc/rungmp';
const INGRESS = { 'internal-and-load-balancer': 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER', all: 'INGRESS_TRAFFIC_ALL' } as const;

export interface CloudRunGatewayConfig {
  project: string;
  region: string;
  serviceName: string;
  image: string;
  release: Environment['release'];
  scaling: Environment['scaling'];
  ingress: Environment['ingress'];
  runtime: GatewayRuntime;
  serviceAccount: ServiceAccount;
  network: { networkId: string; subnetworkId: string };
  /** IAM principals granted `roles/run.invoker` (`allUsers` only when the environment is public). */
  invokers: readonly string[];
  /** Audiences accepted besides the run.app URL: the load balancer's `https://<domain>`. */
  customAudiences: readonly string[];
  metricsConfigSecretId: string;
  deletionProtection: boolean;
  labels: Record<string, string>;
  /** What must exist before a revision can start: readable secrets (their IAM grants and versions). */
  secretsReady: readonly ITerraformDependable[];
  runApi: ProjectService;
  secretManagerApi: ProjectService;
}

export class CloudRunGateway extends Construct {
  readonly service: CloudRunV2Service;
  /** Name of the revision this configuration creates. */
  readonly revision: string;

  constructor(scope: Construct, id: string, config: CloudRunGatewayConfig) {
    super(scope, id);
    const { project, region, runtime, release } = config;
    this.revision = revisionName(config);
    if (release.stableRevision === this.revision) {
      throw new Error(`release.stableRevision is ${this.revision}, the revision this configuration creates: a canary needs an older revision to compare with`);
    }

    const metricsConfig = new PlainSecret(this, 'metrics-config', {
      project,
      secretId: config.metricsConfigSecretId,
      value: JSON.stringify(runMonitoringConfig()),
      readers: [config.serviceAccount.member],
      labels: config.labels,
      api: config.secretManagerApi,
    });

    const env: CloudRunV2ServiceTemplateContainersEnv[] = [
      ...runtime.variables.map(({ name, value }) => ({ name, value })),
      ...runtime.secretVariables.map(({ name, secretId }) => ({ name, valueSource: { secretKeyRef: { secret: secretId, version: 'latest' } } })),
    ];

    this.service = new CloudRunV2Service(this, 'service', {
      project,
      location: region,
      name: config.serviceName,
      description: 'Gemini gateway',
      ingress: INGRESS[config.ingress],
      customAudiences: config.customAudiences.length > 0 ? [...config.customAudiences] : undefined,
      deletionProtection: config.deletionProtection,
      labels: config.labels,
      template: {
        revision: this.revision,
        labels: { ...config.labels, release: tagSlug(release.tag) },
        serviceAccount: config.serviceAccount.email,
        executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
        maxInstanceRequestConcurrency: config.scaling.concurrency,
        // Streams last as long as the model thinks and writes; the gateway's own deadline ends 5 s earlier.
        timeout: `${config.scaling.requestTimeoutSeconds}s`,
        scaling: { minInstanceCount: config.scaling.minInstances, maxInstanceCount: config.scaling.maxInstances },
        vpcAccess: {
          networkInterfaces: [{ network: config.network.networkId, subnetwork: config.network.subnetworkId }],
          egress: 'PRIVATE_RANGES_ONLY',
        },
        containers: [
          {
            name: 'gateway',
            image: config.image,
            ports: { name: 'http1', containerPort: GATEWAY_PORT },
            env,
            // CPU stays allocated between requests: key re-reads, Redis health and the sidecar's scrapes run then.
            resources: { limits: { cpu: config.scaling.cpu, memory: config.scaling.memory }, cpuIdle: false, startupCpuBoost: true },
            volumeMounts: runtime.secretFiles.map((f) => ({ name: f.volume, mountPath: f.mountDir })),
            startupProbe: { httpGet: { path: HEALTH_PATH, port: GATEWAY_PORT }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 30 },
            livenessProbe: { httpGet: { path: HEALTH_PATH, port: GATEWAY_PORT }, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 3 },
          },
          {
            name: 'metrics-sidecar',
            image: METRICS_SIDECAR_IMAGE,
            dependsOn: ['gateway'],
            resources: { limits: { cpu: '1', memory: '512Mi' } },
            volumeMounts: [{ name: 'metrics-config', mountPath: METRICS_CONFIG_DIR }],
          },
        ],
        volumes: [
          ...runtime.secretFiles.map((f) => ({ name: f.volume, secret: { secret: f.secretId, items: [{ version: 'latest', path: f.fileName }] } })),
          { name: 'metrics-config', secret: { secret: metricsConfig.secret.secretId, items: [{ version: 'latest', path: 'config.yaml' }] } },
        ],
      },
      traffic: traffic(release),
      dependsOn: [config.runApi, ...metricsConfig.ready, ...config.secretsReady],
    });

    config.invokers.forEach((member, i) => {
      new CloudRunV2ServiceIamMember(this, `invoker-${i}`, { project, location: region, name: this.service.name, role: 'roles/run.invoker', member });
    });
  }
}

/** The revision name: changes with the release and with any setting that goes into the revision. */
function revisionName(config: CloudRunGatewayConfig): string {
  const settings = { image: config.image, scaling: config.scaling, runtime: config.runtime, sidecar: METRICS_SIDECAR_IMAGE };
  const hash = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 6);
  return `${config.serviceName}-${tagSlug(config.release.tag)}-${hash}`;
}

function traffic(release: Environment['release']): CloudRunV2ServiceTraffic[] {
  const latest = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
  if (release.stableRevision === undefined) return [{ type: latest, percent: 100 }];
  return [
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: release.stableRevision, percent: 100 - release.canaryPercent, tag: 'stable' },
    { type: latest, percent: release.canaryPercent, tag: 'canary' },
  ];
}

/** The sidecar's scrape configuration (a `RunMonitoring` object; JSON is valid YAML). */
export function runMonitoringConfig(): Record<string, unknown> {
  return {
    apiVersion: 'monitoring.googleapis.com/v1beta',
    kind: 'RunMonitoring',
    // The sidecar labels every scraped series job=<this name>: the job the alerts select.
    metadata: { name: DEFAULT_JOB },
    spec: {
      endpoints: [{ port: GATEWAY_PORT, path: METRICS_PATH, interval: '30s', timeout: '10s' }],
      targetLabels: { metadata: ['service', 'revision', 'instance'] },
    },
  };
}
