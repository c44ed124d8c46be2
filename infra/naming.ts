/**
 * Every resource name and label an environment gets, derived in one place so constructs, manifests and
 * tests agree on them (no random suffixes: names are predictable and re-creatable).
 */
import type { Environment } from './environment-schema';

export const APP_LABEL = 'gemini-gateway';
/** Port the gateway container listens on (Cloud Run injects it as PORT; GKE sets it explicitly). */
export const GATEWAY_PORT = 8080;
export { HEALTH_PATH, METRICS_PATH, READINESS_PATH } from '../service/telemetry/operational-paths';

export interface ResourceNames {
  stack: string;
  statePrefix: string;
  service: string;
  rotatorService: string;
  runtimeAccount: string;
  rotatorAccount: string;
  rotationPushAccount: string;
  repository: string;
  network: string;
  subnetwork: string;
  redis: string;
  apiKeySecret: string;
  redisUrlSecret: string;
  redisCaSecret: string;
  auditHmacKeySecret: string;
  metricsConfigSecret: string;
  rotationTopic: string;
  rotationSubscription: string;
  retireJob: string;
  cluster: string;
  kubernetesServiceAccount: string;
  loadBalancer: string;
  loadBalancerAddress: string;
}

export function resourceNames(env: Environment): ResourceNames {
  const p = env.namePrefix;
  return {
    // The stack is named after the environment, so `cdktf deploy dev` reads as intended.
    stack: env.name,
    statePrefix: `gemini-gateway/${env.name}`,
    service: p,
    rotatorService: `${p}-key-rotator`,
    runtimeAccount: `${p}-runtime`,
    rotatorAccount: `${p}-rotator`,
    rotationPushAccount: `${p}-rotation-push`,
    repository: p,
    network: p,
    subnetwork: `${p}-${env.region}`,
    redis: p,
    apiKeySecret: `${p}-gemini-api-key`,
    redisUrlSecret: `${p}-redis-url`,
    redisCaSecret: `${p}-redis-ca`,
    auditHmacKeySecret: `${p}-audit-hmac-key`,
    metricsConfigSecret: `${p}-metrics-sidecar-config`,
    rotationTopic: `${p}-gemini-api-key-events`,
    rotationSubscription: `${p}-gemini-api-key-rotation`,
    retireJob: `${p}-gemini-api-key-retire`,
    cluster: p,
    kubernetesServiceAccount: p,
    loadBalancer: p,
    loadBalancerAddress: `${p}-lb`,
  };
}

/** Labels every labelled resource carries; GCP label keys may contain `-`, which is why the provider override matters. */
export function commonLabels(env: Environment): Record<string, string> {
  return { ...env.labels, app: APP_LABEL, env: env.name, 'managed-by': 'cdktf' };
}

export function serviceAccountEmail(accountId: string, project: string): string {
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** The image of a release tag in the environment's own Artifact Registry repository. */
export function imageOf(env: Environment, tag: string): string {
  return `${env.region}-docker.pkg.dev/${env.project}/${resourceNames(env).repository}/gateway:${tag}`;
}

/** A release tag as a label value or name part: dots become dashes. */
export function tagSlug(tag: string): string {
  return tag.replace(/\./g, '-');
}
