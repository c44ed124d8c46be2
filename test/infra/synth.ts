/**
 * Synthesizes an environment's stack in memory and reads the result: resources by type, with their
 * synthesized (snake_case) properties. Synths are cached per environment object, so one test file pays
 * for each environment once.
 */
import { Testing } from 'cdktf';
import type { Environment } from '../../infra/environment-schema';
import type { ObservabilityDefinitions } from '../../infra/observability-definitions';
import { GatewayStack } from '../../infra/stacks/gateway-stack';

export type Json = Record<string, unknown>;

export interface Resource {
  type: string;
  /** The logical name in the synthesized JSON. */
  name: string;
  /** The construct path, e.g. `dev/gateway/service` (read back from the logical name: construct ids here contain no `_`). */
  path: string;
  body: Json;
}

export interface Synthesized {
  json: Json;
  resources: Resource[];
  ofType(type: string): Resource[];
  /** The only resource of `type` whose construct path ends with `pathSuffix`. */
  one(type: string, pathSuffix?: string): Json;
}

const NO_DEFINITIONS: ObservabilityDefinitions = { alertPolicies: [], dashboards: [] };
const cache = new WeakMap<Environment, Map<ObservabilityDefinitions, Synthesized>>();

export function synth(env: Environment, definitions: ObservabilityDefinitions = NO_DEFINITIONS): Synthesized {
  const perEnv = cache.get(env) ?? new Map<ObservabilityDefinitions, Synthesized>();
  cache.set(env, perEnv);
  const cached = perEnv.get(definitions);
  if (cached !== undefined) return cached;

  const stack = new GatewayStack(Testing.app(), env, definitions);
  const json = JSON.parse(Testing.synth(stack)) as Json;
  const resources: Resource[] = Object.entries((json.resource ?? {}) as Record<string, Record<string, Json>>).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({ type, name, path: `${env.name}/${name.replace(/_[0-9A-F]{8}$/, '').split('_').join('/')}`, body })),
  );
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const result: Synthesized = {
    json,
    resources,
    ofType,
    one(type, pathSuffix = '') {
      const found = ofType(type).filter((r) => r.path.endsWith(pathSuffix));
      if (found.length !== 1) throw new Error(`Expected one ${type} ending in "${pathSuffix}", found ${found.length}: ${found.map((r) => r.path).join(', ')}`);
      return (found[0] as Resource).body;
    },
  };
  perEnv.set(definitions, result);
  return result;
}

/** Resource counts by type, sorted: the inventory of a stack. */
export function countsOf(synthesized: Synthesized): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of [...synthesized.resources].sort((a, b) => a.type.localeCompare(b.type))) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** Reads a nested property: `get(body, 'template', 'containers', 0, 'env')`. */
export function get(value: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined), value);
}
