/**
 * Bounded `http.route` values. Gateway paths carry model, project and location ids, so a raw path as a label
 * would give one series per model id typed by any caller. The template keeps what is bounded (API version,
 * collection, method: closed sets from `protocol/paths.ts`) and replaces every id with a placeholder:
 *
 *   /v1beta/models/gemini-2.5-flash:generateContent  → /v1beta/models/{model}:generateContent
 *   /v1/projects/p/locations/l/publishers/google/models/m:predict
 *                                                    → /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predict
 *
 * A path that is not part of the gateway's surface has no route (the attribute is omitted, as the HTTP
 * conventions say when the route is unknown).
 */
import { API_VERSIONS, collapseSlashes, parseGeminiPath, type GeminiPath } from '../protocol/paths';
import { pathOf } from '../protocol/request-target';
import { HEALTH_PATH, METRICS_PATH, READINESS_PATH } from './operational-paths';

/** Routes outside the Gemini surface that the gateway serves itself, the OpenAI-compatible ones included. */
export const FIXED_ROUTES = [
  HEALTH_PATH,
  READINESS_PATH,
  METRICS_PATH,
  '/v1beta/openai/chat/completions',
  '/v1beta/openai/embeddings',
  '/v1beta/openai/models',
  '/v1/chat/completions',
  '/v1/embeddings',
] as const;

/** OpenAI-style model reads: `/v1beta/openai/models/{id}` (the `/v1/models/{id}` form reads as Gemini's). */
const OPENAI_MODEL_GET = /^\/v1beta\/openai\/models\/[^/]+$/;

/** An RE2 pattern (anchored by PromQL) matching every Gemini API route template: they start with an API version. */
export const API_ROUTE_PATTERN = `/(${API_VERSIONS.join('|')})/.+`;

export interface RouteMatch {
  /** The bounded route template. */
  route: string;
  /** The model id in the path (unbounded: pass it through `modelLabel` before it becomes a label). */
  model?: string;
}


function collectionTemplate(path: GeminiPath): string {
  const prefix = path.project !== undefined ? `/${path.version}/projects/{project}/locations/{location}` : `/${path.version}`;
  return `${prefix}/${path.collection}`;
}

/**
 * Paths seen lately and their matches. A gateway sees few distinct paths (models × methods), so most
 * requests skip the parse; a flood of distinct paths empties it instead of growing it.
 */
const recent = new Map<string, RouteMatch | undefined>();
const RECENT_MAX = 1_000;

/** The route template and model id of a request URL (path with or without query string). */
export function matchRoute(url: string): RouteMatch | undefined {
  const path = collapseSlashes(pathOf(url));
  if (recent.has(path)) return recent.get(path);
  const match = matchPath(path);
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(path, match);
  return match;
}

function matchPath(path: string): RouteMatch | undefined {
  const fixed = FIXED_ROUTES.find((r) => r === path);
  if (fixed) return { route: fixed };
  if (OPENAI_MODEL_GET.test(path)) return { route: '/v1beta/openai/models/{model}' };
  let parsed: GeminiPath | undefined;
  try {
    parsed = parseGeminiPath(path);
  } catch {
    return undefined; // a malformed id inside a Gemini-looking path: the gateway answers 404
  }
  if (!parsed) return undefined;
  const base = collectionTemplate(parsed);
  const idName = parsed.collection === 'endpoints' ? '{endpoint}' : '{model}';
  switch (parsed.kind) {
    case 'list':
      return { route: base };
    case 'get':
      return { route: `${base}/${idName}`, model: parsed.model };
    case 'call':
      return { route: `${base}/${idName}:${parsed.method}`, model: parsed.model };
  }
}

/** Just the template (undefined when the path is not a gateway route). */
export function routeTemplate(url: string): string | undefined {
  return matchRoute(url)?.route;
}
