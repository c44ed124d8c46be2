/**
 * The gateway's Kubernetes objects for an environment on GKE, rendered from the same data as the Cloud Run
 * service (settings names, secrets, probes, scaling). The Kubernetes provider bindings for CDKTF are not
 * part of this project, and `kubernetes_manifest` needs a reachable API server at plan time anyway, so the
 * objects are rendered to a committed JSON file (`npm run render:kubernetes`) and applied with kubectl
 * after the stack has created the cluster and identities.
 */
import { DEFAULT_JOB } from '../../alerts';
import type { Environment } from '../environment-schema';
import { gatewayRuntime, SHUTDOWN } from '../gateway-runtime';
import { APP_LABEL, GATEWAY_PORT, HEALTH_PATH, imageOf, METRICS_PATH, READINESS_PATH, resourceNames, serviceAccountEmail, tagSlug } from '../naming';
import { METRICS, promName } from '../../service/telemetry/metrics-catalogue';
import type { Container, Deployment, GenericObject, HorizontalPodAutoscaler, HttpProbe, KubernetesList, Volume } from './types';

/** uid of the `node` user in the gateway image (see Dockerfile). */
const IMAGE_UID = 1000;
/** Scale out before a pod is full: the in-flight target is this share of its concurrency. */
const ACTIVE_REQUESTS_TARGET_SHARE = 0.7;
const CPU_TARGET_PERCENT = 70;

export function gatewayManifests(env: Environment): KubernetesList {
  if (env.platform !== 'gke' || env.gke === undefined || env.loadBalancer === undefined) throw new Error(`${env.name} does not run on GKE`);
  const names = resourceNames(env);
  const namespace = env.gke.namespace;
  const name = names.service;
  const selector = { app: APP_LABEL };
  const labels = { ...selector, env: env.name, 'managed-by': 'cdktf', release: tagSlug(env.release.tag) };
  const meta = (objectName: string, annotations?: Record<string, string>) => ({ name: objectName, namespace, labels, ...(annotations ? { annotations } : {}) });
  const runtime = gatewayRuntime(env, 'gke');

  const secretClasses: GenericObject[] = runtime.secretFiles.map((file) => ({
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: meta(`${name}-${file.volume}`),
    spec: {
      provider: 'gke',
      // The add-on reads this list as YAML; JSON strings are valid YAML scalars.
      parameters: { secrets: `- resourceName: ${JSON.stringify(`projects/${env.project}/secrets/${file.secretId}/versions/latest`)}\n  path: ${JSON.stringify(file.fileName)}\n` },
    },
  }));

  const probe = (path: string, periodSeconds: number, failureThreshold: number): HttpProbe => ({ httpGet: { path, port: 'http' }, periodSeconds, timeoutSeconds: 3, failureThreshold });
  // Autopilot bills requests and sets limits equal to them.
  const resources = { cpu: env.scaling.cpu, memory: env.scaling.memory, 'ephemeral-storage': '1Gi' };
  const container: Container = {
    name: 'gateway',
    image: imageOf(env, env.release.tag),
    ports: [{ name: 'http', containerPort: GATEWAY_PORT }],
    env: runtime.variables,
    resources: { requests: resources, limits: resources },
    startupProbe: probe(HEALTH_PATH, 2, 30),
    livenessProbe: probe(HEALTH_PATH, 15, 3),
    readinessProbe: probe(READINESS_PATH, 5, 2),
    volumeMounts: [...runtime.secretFiles.map((f) => ({ name: f.volume, mountPath: f.mountDir, readOnly: true })), { name: 'tmp', mountPath: '/tmp' }],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  };
  const volumes: Volume[] = [
    ...runtime.secretFiles.map((f) => ({ name: f.volume, csi: { driver: 'secrets-store-gke.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: `${name}-${f.volume}` } } })),
    { name: 'tmp', emptyDir: {} },
  ];

  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    spec: {
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: names.kubernetesServiceAccount,
          terminationGracePeriodSeconds: SHUTDOWN.gke.terminationGraceSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: IMAGE_UID, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [container],
          volumes,
        },
      },
    },
  };

  const autoscaler: HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: Math.max(1, env.scaling.minInstances),
      maxReplicas: env.scaling.maxInstances,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: CPU_TARGET_PERCENT } } },
        // Streams are slow and cheap on CPU: requests in flight per pod is the signal that tracks load.
        {
          type: 'Pods',
          pods: {
            metric: { name: `prometheus.googleapis.com|${promName(METRICS.httpServerActiveRequests)}|gauge` },
            target: { type: 'AverageValue', averageValue: String(Math.max(1, Math.floor(env.scaling.concurrency * ACTIVE_REQUESTS_TARGET_SHARE))) },
          },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };

  const items: KubernetesList['items'] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(names.kubernetesServiceAccount, { 'iam.gke.io/gcp-service-account': serviceAccountEmail(names.runtimeAccount, env.project) }) },
    ...secretClasses,
    deployment,
    {
      apiVersion: 'cloud.google.com/v1',
      kind: 'BackendConfig',
      metadata: meta(name),
      // The load balancer's default 30 s backend timeout would cut streams.
      spec: {
        timeoutSec: env.scaling.requestTimeoutSeconds,
        connectionDraining: { drainingTimeoutSec: SHUTDOWN.gke.drainSeconds },
        healthCheck: { type: 'HTTP', requestPath: READINESS_PATH, port: GATEWAY_PORT },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, { 'cloud.google.com/neg': '{"ingress": true}', 'cloud.google.com/backend-config': JSON.stringify({ default: name }) }),
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    { apiVersion: 'networking.gke.io/v1', kind: 'ManagedCertificate', metadata: meta(name), spec: { domains: [env.loadBalancer.domain] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(name, {
        'kubernetes.io/ingress.class': 'gce',
        'kubernetes.io/ingress.global-static-ip-name': names.loadBalancerAddress,
        'networking.gke.io/managed-certificates': name,
        'kubernetes.io/ingress.allow-http': 'false',
      }),
      spec: { defaultBackend: { service: { name, port: { number: 80 } } } },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(name), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
    {
      apiVersion: 'monitoring.googleapis.com/v1',
      kind: 'PodMonitoring',
      // Managed Prometheus labels every scraped series job=<this object's name>: the job the alerts select.
      metadata: meta(DEFAULT_JOB),
      spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'http', path: METRICS_PATH, interval: '30s' }] },
    },
    autoscaler,
  ];
  return { apiVersion: 'v1', kind: 'List', items };
}
