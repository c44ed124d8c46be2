/**
 * Gateway settings the infrastructure hands to the container that `service/config/settings.ts` does not
 * define yet. Each entry is meant to move into `SETTINGS` (same key, same name) once the gateway reads it;
 * until then this is the only place the names are written.
 */
export const PENDING_SETTINGS = {
  vertexEndpoint: {
    env: 'GATEWAY_VERTEX_ENDPOINT',
    doc: 'Vertex AI endpoint resource (`projects/…/locations/…/endpoints/…`) serving tuned or dedicated models.',
  },
  vertexEndpointModels: {
    env: 'GATEWAY_VERTEX_ENDPOINT_MODELS',
    doc: 'Comma-separated model names the gateway routes to GATEWAY_VERTEX_ENDPOINT instead of the publisher models.',
  },
} as const satisfies Record<string, { env: string; doc: string }>;
