/**
 * What the gateway container is told, for either platform: environment variables named by
 * `service/config/settings.ts` (never retyped here), and which Secret Manager secrets it reads, as files
 * or (Cloud Run only) as variables. Secrets stay out of plain variables: the key file is re-read on Cloud
 * Run at every access, so a rotation needs no restart.
 */
import type { AuthMode } from '../service/config/load';
import { SETTINGS, type AccessLogMode, type TracesExporter } from '../service/config/settings';
import { COUNT_DEADLINE_MS } from '../service/pipeline/count-deadline';
import type { Environment } from './environment-schema';
import { GATEWAY_PORT, resourceNames } from './naming';

export type Platform = Environment['platform'];

export interface PlainVariable {
  name: string;
  value: string;
}

/** A secret mounted as one file, `<mountDir>/<fileName>`, always at its `latest` version; `setting` names its path. */
export interface SecretFile {
  setting: string;
  volume: string;
  secretId: string;
  mountDir: string;
  fileName: string;
}

/** A secret handed over as an environment variable (resolved when an instance starts). */
export interface SecretVariable {
  name: string;
  secretId: string;
}

export interface GatewayRuntime {
  variables: PlainVariable[];
  secretFiles: SecretFile[];
  secretVariables: SecretVariable[];
}

/** Cloud Run sends SIGKILL 10 s after SIGTERM; GKE waits `terminationGracePeriodSeconds`. Draining must end first. */
export const SHUTDOWN = {
  'cloud-run': { terminationGraceSeconds: 10, drainSeconds: 8 },
  gke: { terminationGraceSeconds: 30, drainSeconds: 25 },
} as const satisfies Record<Platform, { terminationGraceSeconds: number; drainSeconds: number }>;

/** Cloud Run's own request log already has a line per request (method, URL, status, latency, size); GKE has none. */
const ACCESS_LOG = { 'cloud-run': 'failures', gke: 'all' } as const satisfies Record<Platform, AccessLogMode>;

/** Straight to the Telemetry API as the runtime account: no collector to run beside the gateway. */
const TRACES_EXPORTER: TracesExporter = 'cloud-trace';

/** A deployed gateway holds real Gemini credentials: every caller presents a team key (no IAP sets identities here). */
const AUTH_MODE: AuthMode = 'keys';

/**
 * A request's upstream work (each call, and all its retries and fallbacks together) ends before the
 * platform's request timeout, so a slow call fails with Google's error shape. The margin also covers what
 * comes before it: the admission queue's wait (GATEWAY_QUEUE_TIMEOUT_MS, 2 s by default) and the count of a
 * prompt with media by URI.
 */
export const UPSTREAM_DEADLINE_MARGIN_MS = 5_000 + COUNT_DEADLINE_MS;

export function gatewayRuntime(env: Environment, platform: Platform): GatewayRuntime {
  const names = resourceNames(env);
  const variables: PlainVariable[] = [
    { name: SETTINGS.upstream.env, value: env.upstream },
    { name: SETTINGS.logLevel.env, value: env.logLevel },
    { name: SETTINGS.drainSeconds.env, value: String(SHUTDOWN[platform].drainSeconds) },
    { name: SETTINGS.upstreamTimeoutMs.env, value: String(env.scaling.requestTimeoutSeconds * 1000 - UPSTREAM_DEADLINE_MARGIN_MS) },
    { name: SETTINGS.requestTimeoutMs.env, value: String(env.scaling.requestTimeoutSeconds * 1000 - UPSTREAM_DEADLINE_MARGIN_MS) },
    { name: SETTINGS.authMode.env, value: AUTH_MODE },
    // Key hashes and limits, not keys: a plain variable, and a change to them is a new revision like any other.
    { name: SETTINGS.callers.env, value: JSON.stringify(env.callers) },
    // Sampled traces go to the environment's Cloud Trace, and log lines link to them there.
    { name: SETTINGS.project.env, value: env.project },
    { name: SETTINGS.tracesExporter.env, value: TRACES_EXPORTER },
  ];
  // Cloud Run writes a request log of every request itself; the gateway adds lines only for failures there.
  variables.push({ name: SETTINGS.accessLog.env, value: ACCESS_LOG[platform] });
  // Cloud Run sets PORT itself and rejects a revision that sets it; on GKE the container must be told.
  if (platform === 'gke') variables.push({ name: SETTINGS.port.env, value: String(GATEWAY_PORT) });
  if (env.upstream === 'vertex') {
    variables.push({ name: SETTINGS.location.env, value: env.vertex.location });
    if (env.vertex.endpoint !== undefined) {
      variables.push(
        { name: SETTINGS.vertexEndpoint.env, value: vertexEndpointName(env) },
        { name: SETTINGS.vertexEndpointModels.env, value: env.vertex.endpoint.models.join(',') },
      );
    }
  }

  const secretFiles: SecretFile[] = [
    { setting: SETTINGS.redisCaFile.env, volume: 'redis-ca', secretId: names.redisCaSecret, mountDir: '/secrets/redis-ca', fileName: 'ca.pem' },
    { setting: SETTINGS.auditHmacKeyFile.env, volume: 'audit-hmac-key', secretId: names.auditHmacKeySecret, mountDir: '/secrets/audit-hmac-key', fileName: 'key' },
  ];
  const secretVariables: SecretVariable[] = [];
  if (env.upstream === 'ai-studio') {
    secretFiles.push({ setting: SETTINGS.apiKeyFile.env, volume: 'gemini-api-key', secretId: names.apiKeySecret, mountDir: '/secrets/gemini-api-key', fileName: 'key' });
  }
  if (platform === 'cloud-run') {
    secretVariables.push({ name: SETTINGS.redisUrl.env, secretId: names.redisUrlSecret });
  } else {
    // GKE's Secret Manager add-on mounts files only.
    secretFiles.push({ setting: SETTINGS.redisUrlFile.env, volume: 'redis-url', secretId: names.redisUrlSecret, mountDir: '/secrets/redis-url', fileName: 'url' });
  }
  for (const file of secretFiles) variables.push({ name: file.setting, value: `${file.mountDir}/${file.fileName}` });
  return { variables, secretFiles, secretVariables };
}

/** The endpoint's resource name is known before it exists because the environment chooses its numeric id. */
export function vertexEndpointName(env: Environment): string {
  if (env.vertex.endpoint === undefined) throw new Error(`${env.name} has no Vertex AI endpoint`);
  return `projects/${env.project}/locations/${env.region}/endpoints/${env.vertex.endpoint.id}`;
}
