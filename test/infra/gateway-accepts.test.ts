/**
 * The gateway starts on what the infrastructure gives it: for every environment and scenario, the
 * container's variables as synthesized (Cloud Run) or rendered (GKE), with stand-ins for the mounted secret
 * files and secret variables, go through the gateway's own `loadConfig` with nothing added.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../service/config/load';
import { SETTINGS } from '../../service/config/settings';
import type { Environment } from '../../infra/environment-schema';
import { gatewayManifests } from '../../infra/kubernetes/gateway-manifests';
import type { Deployment } from '../../infra/kubernetes/types';
import { SCENARIOS } from './scenarios';
import { get, synth, type Json } from './synth';

const SECRET_ROOT = '/secrets/';
const REDIS_URL = 'rediss://:stand-in-auth@10.0.0.3:6378';

/** A stand-in for what Secret Manager would hold under each setting. */
function standIn(setting: string): string {
  if (setting === SETTINGS.redisUrl.env || setting === SETTINGS.redisUrlFile.env) return REDIS_URL;
  if (setting === SETTINGS.auditHmacKeyFile.env) return 'a'.repeat(64);
  if (setting === SETTINGS.apiKeyFile.env) return 'AIzaStandInKeyForTheTest0000000000000000';
  return '-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n';
}

/** The container's variables: plain values, and secrets (Cloud Run `value_source`) as `undefined`. */
function containerVariables(env: Environment): Array<{ name: string; value: string | undefined }> {
  if (env.platform === 'gke') {
    const deployment = gatewayManifests(env).items.find((item) => item.kind === 'Deployment') as Deployment;
    return (deployment.spec.template.spec.containers[0]?.env ?? []).map((e) => ({ name: e.name, value: e.value }));
  }
  const service = synth(env).one('google_cloud_run_v2_service', '/gateway/service');
  return (get(service, 'template', 'containers', 0, 'env') as Json[]).map((e) => ({ name: e.name as string, value: e.value as string | undefined }));
}

describe.each(Object.entries(SCENARIOS))('%s', (_name, env) => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'gateway-accepts-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('the gateway loads its container environment unchanged: team keys, the callers of environments.ts', () => {
    const given: Record<string, string> = {};
    for (const { name, value } of containerVariables(env)) {
      if (value === undefined) {
        given[name] = standIn(name);
      } else if (value.startsWith(SECRET_ROOT)) {
        const file = join(root, value);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, standIn(name));
        given[name] = file;
      } else {
        given[name] = value;
      }
    }
    const config = loadConfig(given);
    expect(config.resolvedAuthMode).toBe('keys');
    expect(config.callers.map((caller) => caller.id)).toEqual(env.callers.map((caller) => caller.id));
    expect(config.callers).toEqual(env.callers);
  });
});
