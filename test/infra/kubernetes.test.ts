/**
 * The GKE manifests: what they contain for the GKE scenario (settings names, secrets, probes, Workload
 * Identity, disruption budget, scraping, autoscaling on CPU and in-flight requests), a committed golden copy
 * (regenerate with UPDATE_INVENTORY=1), and the committed renders of the real environments.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_JOB } from '../../alerts';
import { SETTINGS } from '../../service/config/settings';
import { ENVIRONMENTS } from '../../infra/environments';
import { gatewayManifests } from '../../infra/kubernetes/gateway-manifests';
import { RENDERED_DIR, renderedFiles } from '../../infra/kubernetes/rendered-files';
import type { Deployment, GenericObject, HorizontalPodAutoscaler } from '../../infra/kubernetes/types';
import { gkeScenario } from './scenarios';

const GOLDEN = join(__dirname, 'expected', 'gke-scenario.manifests.json');
const list = gatewayManifests(gkeScenario);
const byKind = (kind: string) => list.items.filter((i) => i.kind === kind);
const deployment = byKind('Deployment')[0] as Deployment;
const container = deployment.spec.template.spec.containers[0];

test('the rendered list matches the committed golden copy', () => {
  const rendered = `${JSON.stringify(list, null, 2)}\n`;
  if (process.env.UPDATE_INVENTORY === '1') writeFileSync(GOLDEN, rendered);
  expect(readFileSync(GOLDEN, 'utf8')).toBe(rendered);
});

test('every object lives in the environment namespace, labelled like the cloud resources', () => {
  expect(list.items.map((i) => i.kind)).toEqual([
    'Namespace',
    'ServiceAccount',
    'SecretProviderClass',
    'SecretProviderClass',
    'SecretProviderClass',
    'Deployment',
    'BackendConfig',
    'Service',
    'ManagedCertificate',
    'Ingress',
    'PodDisruptionBudget',
    'PodMonitoring',
    'HorizontalPodAutoscaler',
  ]);
  for (const item of list.items.filter((i) => i.kind !== 'Namespace')) expect(item.metadata).toMatchObject({ namespace: 'gemini-gateway', labels: { app: 'gemini-gateway', env: 'staging', 'managed-by': 'cdktf' } });
});

test('the pods act as the runtime service account (Workload Identity)', () => {
  expect(byKind('ServiceAccount')[0]?.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'gemini-gw-runtime@example-gemini-gw-staging.iam.gserviceaccount.com' });
  expect(deployment.spec.template.spec.serviceAccountName).toBe('gemini-gw');
});

test('the container gets its settings by their settings.ts names, PORT included, and its secrets as files', () => {
  const env = Object.fromEntries(container?.env.map((e) => [e.name, e.value]) ?? []);
  expect(env).toEqual({
    [SETTINGS.upstream.env]: 'vertex',
    [SETTINGS.logLevel.env]: 'info',
    [SETTINGS.drainSeconds.env]: '25',
    [SETTINGS.accessLog.env]: 'all',
    [SETTINGS.upstreamTimeoutMs.env]: '885000',
    [SETTINGS.requestTimeoutMs.env]: '885000',
    [SETTINGS.authMode.env]: 'keys',
    [SETTINGS.callers.env]: JSON.stringify(gkeScenario.callers),
    [SETTINGS.project.env]: 'example-gemini-gw-staging',
    [SETTINGS.tracesExporter.env]: 'cloud-trace',
    [SETTINGS.port.env]: '8080',
    [SETTINGS.location.env]: 'global',
    [SETTINGS.redisCaFile.env]: '/secrets/redis-ca/ca.pem',
    [SETTINGS.redisUrlFile.env]: '/secrets/redis-url/url',
    [SETTINGS.auditHmacKeyFile.env]: '/secrets/audit-hmac-key/key',
  });
  const classes = byKind('SecretProviderClass') as GenericObject[];
  expect(classes.map((c) => (c.spec as { parameters: { secrets: string } }).parameters.secrets)).toEqual([
    '- resourceName: "projects/example-gemini-gw-staging/secrets/gemini-gw-redis-ca/versions/latest"\n  path: "ca.pem"\n',
    '- resourceName: "projects/example-gemini-gw-staging/secrets/gemini-gw-audit-hmac-key/versions/latest"\n  path: "key"\n',
    '- resourceName: "projects/example-gemini-gw-staging/secrets/gemini-gw-redis-url/versions/latest"\n  path: "url"\n',
  ]);
  expect(deployment.spec.template.spec.volumes).toEqual(
    expect.arrayContaining([{ name: 'redis-url', csi: { driver: 'secrets-store-gke.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'gemini-gw-redis-url' } } }]),
  );
});

test('probes: start-up and liveness on /healthz, readiness on /readyz; drains before the kill', () => {
  expect(container).toMatchObject({
    startupProbe: { httpGet: { path: '/healthz', port: 'http' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
  });
  expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(container?.env.find((e) => e.name === SETTINGS.drainSeconds.env)?.value));
});

test('runs as the image user, without privileges, on a read-only root', () => {
  expect(deployment.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  expect(container?.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
});

test('survives voluntary disruptions one pod at a time, and Managed Prometheus scrapes /metrics', () => {
  expect(byKind('PodDisruptionBudget')[0]).toMatchObject({ spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'gemini-gateway' } } } });
  expect(byKind('PodMonitoring')[0]).toMatchObject({ spec: { endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] } });
  // Managed Prometheus sets job to the PodMonitoring's name; every alert selects that job.
  expect(byKind('PodMonitoring')[0]?.metadata.name).toBe(DEFAULT_JOB);
});

test('scales on CPU and on requests in flight per pod, within the environment bounds', () => {
  const hpa = byKind('HorizontalPodAutoscaler')[0] as HorizontalPodAutoscaler;
  expect(hpa.spec).toMatchObject({ minReplicas: gkeScenario.scaling.minInstances, maxReplicas: gkeScenario.scaling.maxInstances, scaleTargetRef: { kind: 'Deployment', name: 'gemini-gw' } });
  expect(hpa.spec.metrics).toEqual([
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
    { type: 'Pods', pods: { metric: { name: 'prometheus.googleapis.com|http_server_active_requests|gauge' }, target: { type: 'AverageValue', averageValue: '56' } } },
  ]);
});

test('the Ingress claims the reserved address and the managed certificate; streams are not cut at 30 s', () => {
  expect(byKind('Ingress')[0]?.metadata.annotations).toMatchObject({
    'kubernetes.io/ingress.global-static-ip-name': 'gemini-gw-lb',
    'networking.gke.io/managed-certificates': 'gemini-gw',
    'kubernetes.io/ingress.allow-http': 'false',
  });
  expect(byKind('ManagedCertificate')[0]).toMatchObject({ spec: { domains: ['gemini.staging.example.com'] } });
  expect(byKind('BackendConfig')[0]).toMatchObject({ spec: { timeoutSec: gkeScenario.scaling.requestTimeoutSeconds } });
});

test('the committed renders are exactly those of the environments on GKE (npm run render:kubernetes)', () => {
  const wanted = renderedFiles(ENVIRONMENTS);
  const present = existsSync(RENDERED_DIR) ? readdirSync(RENDERED_DIR).filter((f) => f.endsWith('.json')) : [];
  expect(present.sort()).toEqual([...wanted.keys()].sort());
  for (const [file, contents] of wanted) expect(readFileSync(join(RENDERED_DIR, file), 'utf8')).toBe(contents);
});

test('rendering refuses an environment that is not on GKE', () => {
  expect(() => gatewayManifests(ENVIRONMENTS[0] as (typeof ENVIRONMENTS)[number])).toThrow('does not run on GKE');
});
