/**
 * Gateway settings the infrastructure hands to the container that `service/config/settings.ts` does not
 * define yet. Each entry is meant to move into `SETTINGS` (same key, same name) once the gateway reads it;
 * until then this is the only place the names are written.
 */
export const PENDING_SETTINGS = {
  redisUrlFile: {
    env: 'REDIS_URL_FILE',
    doc: 'Path of a file holding REDIS_URL (`rediss://:<auth>@<host>:<port>`); GKE mounts secrets only as files. Cloud Run sets REDIS_URL itself.',
  },
  redisCaFile: {
    env: 'REDIS_CA_FILE',
    doc: 'Path of a PEM file with the CA that signed the Redis server certificate (Memorystore in-transit encryption).',
  },
  vertexEndpoint: {
    env: 'GATEWAY_VERTEX_ENDPOINT',
    doc: 'Vertex AI endpoint resource (`projects/…/locations/…/endpoints/…`) serving tuned or dedicated models.',
  },
  vertexEndpointModels: {
    env: 'GATEWAY_VERTEX_ENDPOINT_MODELS',
    doc: 'Comma-separated model names the gateway routes to GATEWAY_VERTEX_ENDPOINT instead of the publisher models.',
  },
} as const satisfies Record<string, { env: string; doc: string }>;
