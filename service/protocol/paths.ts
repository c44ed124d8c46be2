/**
 * The Gemini REST path grammar, shared by the gateway's router, its upstream clients and the emulator.
 *
 * Accepted forms (any of the API versions the SDKs use):
 *   /{v}/models                                   GET   list
 *   /{v}/models/{m}                               GET   get
 *   /{v}/models/{m}:{method}                      POST
 *   /{v}/tunedModels[/{m}[:{method}]]
 *   /{v}/publishers/google/models[/{m}[:{method}]]                                   (Vertex, no project)
 *   /{v}/projects/{p}/locations/{l}/publishers/google/models[/{m}[:{method}]]        (Vertex)
 *   /{v}/projects/{p}/locations/{l}/endpoints/{id}:{method}                           (Vertex tuned/dedicated)
 * The colon before the method is literal text, not a route parameter.
 */
import { GoogleApiError, notFound } from './errors';

export const API_VERSIONS = ['v1', 'v1beta', 'v1alpha', 'v1beta1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export const MODEL_METHODS = [
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'computeTokens',
  'embedContent',
  'batchEmbedContents',
  'predict',
] as const;
export type ModelMethod = (typeof MODEL_METHODS)[number];

/** Which REST dialect a path belongs to: AI Studio (Gemini Developer API) or Vertex AI. */
export type PathDialect = 'ai-studio' | 'vertex';

export type ModelCollection = 'models' | 'tunedModels' | 'publishers/google/models' | 'endpoints';

/** Where a path points: API version, dialect, the Vertex project and location, and the collection. */
interface PathBase {
  version: ApiVersion;
  dialect: PathDialect;
  project?: string;
  location?: string;
  collection: ModelCollection;
}

export interface ModelCallPath extends PathBase {
  kind: 'call';
  model: string;
  method: ModelMethod;
}

export interface ModelListPath extends PathBase {
  kind: 'list';
}

export interface ModelGetPath extends PathBase {
  kind: 'get';
  model: string;
}

export type GeminiPath = ModelCallPath | ModelListPath | ModelGetPath;

/** A resource id as Google issues them; rejects traversal, encoded bytes and anything else odd. */
const RESOURCE_ID = /^[A-Za-z0-9](?:[A-Za-z0-9._@-]{0,126}[A-Za-z0-9])?$/;

function checkId(id: string, what: string): string {
  if (!RESOURCE_ID.test(id) || id.includes('..')) {
    throw notFound(`${what} ${JSON.stringify(id.slice(0, 80))} is not a valid resource id.`);
  }
  return id;
}

function isVersion(text: string | undefined): text is ApiVersion {
  return (API_VERSIONS as readonly string[]).includes(text ?? '');
}

function isMethod(text: string): text is ModelMethod {
  return (MODEL_METHODS as readonly string[]).includes(text);
}

/** Collapses runs of slashes, as the legacy SDK produces `//v1beta` from a base URL ending in `/`. */
export function collapseSlashes(path: string): string {
  return path.replace(/\/{2,}/g, '/');
}

function splitModelAndMethod(
  last: string,
  version: ApiVersion,
  dialect: PathDialect,
  where: Pick<ModelCallPath, 'project' | 'location' | 'collection'>,
): ModelCallPath | ModelGetPath {
  const colon = last.indexOf(':');
  if (colon < 0) return { kind: 'get', version, dialect, ...where, model: checkId(last, 'Model') };
  const model = checkId(last.slice(0, colon), 'Model');
  const method = last.slice(colon + 1);
  if (!isMethod(method)) {
    throw notFound(`Method ${JSON.stringify(method.slice(0, 60))} is not found for model ${model}.`);
  }
  return { kind: 'call', version, dialect, ...where, model, method };
}

/**
 * Parses a request path (no query string). Returns undefined when the path is not a Gemini model path at
 * all (the caller answers 404), throws a Google 404 for a malformed id inside an otherwise valid path.
 */
export function parseGeminiPath(rawPath: string): GeminiPath | undefined {
  const segments = collapseSlashes(rawPath).split('/').filter((s) => s.length > 0);
  const [version, ...rest] = segments;
  if (!isVersion(version)) return undefined;

  let dialect: PathDialect = 'ai-studio';
  let project: string | undefined;
  let location: string | undefined;
  let tail = rest;

  if (tail[0] === 'projects') {
    if (tail[2] !== 'locations' || tail.length < 5) return undefined;
    project = checkId(tail[1] ?? '', 'Project');
    location = checkId(tail[3] ?? '', 'Location');
    dialect = 'vertex';
    tail = tail.slice(4);
  }

  let collection: ModelCollection;
  if (tail[0] === 'publishers') {
    if (tail[1] !== 'google' || tail[2] !== 'models') return undefined;
    dialect = 'vertex';
    collection = 'publishers/google/models';
    tail = tail.slice(3);
  } else if (tail[0] === 'endpoints' && project !== undefined) {
    collection = 'endpoints';
    tail = tail.slice(1);
  } else if ((tail[0] === 'models' || tail[0] === 'tunedModels') && project === undefined) {
    collection = tail[0];
    tail = tail.slice(1);
  } else {
    return undefined;
  }

  const where = { project, location, collection };
  if (tail.length === 0) return collection === 'endpoints' ? undefined : { kind: 'list', version, dialect, ...where };
  if (tail.length !== 1) return undefined;
  const parsed = splitModelAndMethod(tail[0] ?? '', version, dialect, where);
  if (parsed.kind === 'get' && collection === 'endpoints') return undefined;
  return parsed;
}

/** Strips the `models/` prefix that SDKs put in body fields (`"model":"models/gemini-x"`). */
export function bareModelId(name: string): string {
  return name.replace(/^(?:publishers\/google\/)?(?:models|tunedModels)\//, '');
}

export function isStreamingMethod(method: ModelMethod): boolean {
  return method === 'streamGenerateContent';
}

export function requireMethodAllowed(httpMethod: string, path: GeminiPath): void {
  const expected = path.kind === 'call' ? 'POST' : 'GET';
  if (httpMethod !== expected) {
    throw new GoogleApiError(405, `Method ${httpMethod} is not allowed on this resource; use ${expected}.`, {
      status: 'INVALID_ARGUMENT',
    });
  }
}
