/**
 * Memorystore for Redis, the gateway's shared state: AUTH on, in-transit encryption on (server
 * authentication: the client checks the server certificate against the instance's CA), reachable only
 * from the environment's VPC. The connection URL (with the AUTH string) and the CA certificate reach the
 * gateway through Secret Manager, never through plain variables.
 */
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { RedisInstance } from '@cdktf/provider-google/lib/redis-instance';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { Environment } from '../environment-schema';
import { PlainSecret } from './plain-secret';

export interface RedisConfig {
  project: string;
  region: string;
  name: string;
  redis: Environment['redis'];
  networkId: string;
  urlSecretId: string;
  caSecretId: string;
  /** Principals that may read the connection secrets (the gateway's runtime account). */
  readers: readonly string[];
  labels: Record<string, string>;
  redisApi: ProjectService;
  secretManagerApi: ProjectService;
}

export class Redis extends Construct {
  readonly instance: RedisInstance;
  readonly urlSecret: PlainSecret;
  readonly caSecret: PlainSecret;

  constructor(scope: Construct, id: string, config: RedisConfig) {
    super(scope, id);
    this.instance = new RedisInstance(this, 'instance', {
      project: config.project,
      region: config.region,
      name: config.name,
      displayName: 'Gemini gateway shared state',
      tier: config.redis.tier,
      memorySizeGb: config.redis.memorySizeGb,
      redisVersion: config.redis.version,
      authorizedNetwork: config.networkId,
      connectMode: 'DIRECT_PEERING',
      authEnabled: true,
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
      // Budgets are money spent this day or month: a restart (a BASIC instance has no replica) restores the
      // last hourly snapshot rather than forgetting them. Rate windows and cached answers need no snapshot.
      persistenceConfig: { persistenceMode: 'RDB', rdbSnapshotPeriod: 'ONE_HOUR' },
      // Every gateway key expires: rate windows within a minute, cached answers within minutes, budgets at
      // their period's end. Short of memory, the keys nearest their end go first: windows and answers, and a
      // budget only in its period's last minutes. The default, volatile-lru, evicted a spent budget in the
      // middle of its month, and its caller went on spending.
      redisConfigs: { 'maxmemory-policy': 'volatile-ttl' },
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: 'SUNDAY', startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 } }] },
      labels: config.labels,
      dependsOn: [config.redisApi],
    });
    const shared = { project: config.project, readers: config.readers, labels: config.labels, api: config.secretManagerApi };
    this.urlSecret = new PlainSecret(this, 'url', {
      ...shared,
      secretId: config.urlSecretId,
      // `rediss://` because of in-transit encryption; the AUTH string is URL-encoded into the password part.
      value: `rediss://:${Fn.urlencode(this.instance.authString)}@${this.instance.host}:${Token.asString(this.instance.port)}`,
    });
    this.caSecret = new PlainSecret(this, 'ca', { ...shared, secretId: config.caSecretId, value: this.instance.serverCaCerts.get(0).cert });
  }
}
