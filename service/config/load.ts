/**
 * Loads the settings from an optional JSON file and the environment (the environment wins), validates them
 * with the schemas in `settings.ts`, and resolves what follows from them (which upstream, its URL).
 * A bad setting stops start-up with a message that names it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { callerSchema, normaliseIdentity, type CallerPolicy } from './policy';
import { AUDIT_HMAC_KEY_MIN_LENGTH, SETTINGS, VERTEX_ENDPOINT_NAME, type SettingKey, type Settings } from './settings';

export type UpstreamKind = 'emulator' | 'ai-studio' | 'vertex';

/** A Vertex AI endpoint serving tuned or dedicated models, and the model names routed to it. */
export interface VertexEndpoint {
  /** `projects/{p}/locations/{l}/endpoints/{id}` */
  name: string;
  id: string;
  /** The endpoint's own region: endpoints are regional even when the publisher models are called at `global`. */
  baseUrl: string;
  models: readonly string[];
}

export type UpstreamConfig =
  | { kind: 'emulator'; endpoint?: VertexEndpoint }
  | { kind: 'ai-studio'; baseUrl: string; apiKey?: string; apiKeyFile?: string }
  | { kind: 'vertex'; baseUrl: string; project: string; location: string; endpoint?: VertexEndpoint };

export type AuthMode = 'keys' | 'iam' | 'open';

export interface GatewayConfig extends Settings {
  /** GATEWAY_AUDIT_HMAC_KEY, or the content of GATEWAY_AUDIT_HMAC_KEY_FILE. */
  resolvedAuditHmacKey?: string;
  /** REDIS_URL, or the content of REDIS_URL_FILE. */
  resolvedRedisUrl?: string;
  /** The PEM of REDIS_CA_FILE. */
  redisCa?: string;
  /** The default upstream. */
  resolvedUpstream: UpstreamConfig;
  /** Vertex AI as a second upstream for models routed to it while AI Studio is the default. */
  secondaryVertex?: Extract<UpstreamConfig, { kind: 'vertex' }>;
  resolvedAuthMode: AuthMode;
  /** GATEWAY_CALLERS and the callers of GATEWAY_CALLERS_FILE together. */
  allCallers: CallerPolicy[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const KEYS = Object.keys(SETTINGS) as SettingKey[];

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`GATEWAY_CONFIG_FILE: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`GATEWAY_CONFIG_FILE: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`GATEWAY_CONFIG_FILE: ${path} must hold a JSON object`);
  }
  const unknownKeys = Object.keys(parsed).filter((k) => !(KEYS as string[]).includes(k));
  if (unknownKeys.length > 0) {
    throw new ConfigError(`GATEWAY_CONFIG_FILE: unknown setting(s) ${unknownKeys.join(', ')} in ${path}`);
  }
  return parsed as Record<string, unknown>;
}

function describeIssue(key: SettingKey, issue: z.core.$ZodIssue, raw: unknown): string {
  const spec = SETTINGS[key];
  const shown = 'secret' in spec ? '' : ` (got ${JSON.stringify(raw)})`;
  return `${spec.env}: ${issue.message}${shown}`;
}

function parseSettings(raw: Record<string, unknown>): Settings {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const result = SETTINGS[key].schema.safeParse(raw[key]);
    if (result.success) out[key] = result.data;
    else problems.push(...result.error.issues.map((issue) => describeIssue(key, issue, raw[key])));
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as Settings;
}

export function defaultVertexBaseUrl(location: string): string {
  return location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`;
}

function resolveUpstream(s: Settings): UpstreamConfig {
  const hasKey = s.apiKey !== undefined || s.apiKeyFile !== undefined;
  const kind: UpstreamKind = s.upstream ?? (s.useVertex ? 'vertex' : hasKey ? 'ai-studio' : 'emulator');
  switch (kind) {
    case 'emulator':
      // The embedded emulator speaks Vertex too, so an endpoint's models can be tried locally.
      return { kind, endpoint: resolveVertexEndpoint(s) };
    case 'ai-studio':
      if (!hasKey) throw new ConfigError('GEMINI_API_KEY or GEMINI_API_KEY_FILE: required with the ai-studio upstream');
      return { kind, baseUrl: s.geminiBaseUrl, apiKey: s.apiKey, apiKeyFile: s.apiKeyFile };
    case 'vertex':
      if (s.project === undefined) throw new ConfigError('GOOGLE_CLOUD_PROJECT: required with the vertex upstream');
      return vertexTarget(s, s.project);
  }
}

function vertexTarget(s: Settings, project: string): Extract<UpstreamConfig, { kind: 'vertex' }> {
  return { kind: 'vertex', baseUrl: s.vertexBaseUrl ?? defaultVertexBaseUrl(s.location), project, location: s.location, endpoint: resolveVertexEndpoint(s) };
}

function resolveVertexEndpoint(s: Settings): VertexEndpoint | undefined {
  if (s.vertexEndpoint === undefined) {
    if (s.vertexEndpointModels.length > 0) throw new ConfigError('GATEWAY_VERTEX_ENDPOINT_MODELS: needs GATEWAY_VERTEX_ENDPOINT, the endpoint that serves them');
    return undefined;
  }
  if (s.vertexEndpointModels.length === 0) throw new ConfigError('GATEWAY_VERTEX_ENDPOINT_MODELS: name at least one model GATEWAY_VERTEX_ENDPOINT serves');
  // The schema already matched the pattern, so its groups are there.
  const [, , location, id] = VERTEX_ENDPOINT_NAME.exec(s.vertexEndpoint) as unknown as [string, string, string, string];
  for (const model of s.vertexEndpointModels) {
    if (s.models.backends[model] === 'ai-studio') throw new ConfigError(`GATEWAY_MODELS: ${model} is routed to ai-studio but served by GATEWAY_VERTEX_ENDPOINT`);
  }
  return { name: s.vertexEndpoint, id, baseUrl: s.vertexBaseUrl ?? defaultVertexBaseUrl(location), models: s.vertexEndpointModels };
}

function readCallersFile(path: string): CallerPolicy[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`GATEWAY_CALLERS_FILE: cannot read ${path} as JSON: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const result = z.array(callerSchema).safeParse(raw);
  if (!result.success) throw new ConfigError(`GATEWAY_CALLERS_FILE: ${path}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function resolveCallers(s: Settings): CallerPolicy[] {
  const callers = [...s.callers, ...(s.callersFile ? readCallersFile(s.callersFile) : [])];
  const seen = new Set<string>();
  // A key or identity names one caller: given to two, the later would silently take the earlier's traffic,
  // and the earlier's limits and budget would never apply.
  const owners = new Map<string, string>();
  const claim = (what: string, value: string, id: string): void => {
    const owner = owners.get(`${what}:${value}`);
    if (owner !== undefined && owner !== id) throw new ConfigError(`GATEWAY_CALLERS: callers ${owner} and ${id} share ${what === 'key' ? `a key (keySha256 ${value.slice(0, 12)}…)` : `the identity ${value}`}; each key and identity must name one caller`);
    owners.set(`${what}:${value}`, id);
  };
  for (const caller of callers) {
    if (seen.has(caller.id)) throw new ConfigError(`GATEWAY_CALLERS: caller id ${caller.id} appears twice`);
    seen.add(caller.id);
    for (const hash of caller.keySha256) claim('key', hash, caller.id);
    for (const identity of caller.identities) claim('identity', normaliseIdentity(identity), caller.id);
  }
  return callers;
}

function resolveAuthMode(s: Settings, upstream: UpstreamConfig, callers: CallerPolicy[]): AuthMode {
  if (s.authMode !== undefined) {
    if (s.authMode === 'keys' && callers.length === 0) throw new ConfigError('GATEWAY_CALLERS: at least one caller is required with GATEWAY_AUTH_MODE=keys');
    return s.authMode;
  }
  if (callers.length > 0) return 'keys';
  if (upstream.kind === 'emulator') return 'open';
  throw new ConfigError(
    'GATEWAY_AUTH_MODE: a gateway holding real Gemini credentials is never open by default; configure GATEWAY_CALLERS (mode `keys`), set `iam`, or set `open` explicitly',
  );
}

/** Vertex as a second upstream, when some model is routed to it and AI Studio is the default. */
function resolveSecondaryVertex(s: Settings, upstream: UpstreamConfig): GatewayConfig['secondaryVertex'] {
  const wantsVertex = Object.values(s.models.backends).includes('vertex') || s.vertexEndpoint !== undefined;
  if (upstream.kind !== 'ai-studio' || !wantsVertex) return undefined;
  if (s.project === undefined) throw new ConfigError('GOOGLE_CLOUD_PROJECT: required when GATEWAY_MODELS or GATEWAY_VERTEX_ENDPOINT routes a model to vertex');
  return vertexTarget(s, s.project);
}

function readSecretFile(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function resolveRedis(s: Settings): Pick<GatewayConfig, 'resolvedRedisUrl' | 'redisCa'> {
  const url = s.redisUrl ?? (s.redisUrlFile ? readSecretFile('REDIS_URL_FILE', s.redisUrlFile) : undefined);
  if (url !== undefined && !(/^rediss?:\/\//.test(url) && URL.canParse(url))) throw new ConfigError('REDIS_URL_FILE: the file must hold a valid redis:// or rediss:// URL');
  return { resolvedRedisUrl: url, redisCa: s.redisCaFile ? readSecretFile('REDIS_CA_FILE', s.redisCaFile) : undefined };
}

function resolveAuditHmacKey(s: Settings): string | undefined {
  if (s.auditHmacKey !== undefined || s.auditHmacKeyFile === undefined) return s.auditHmacKey;
  const key = readSecretFile('GATEWAY_AUDIT_HMAC_KEY_FILE', s.auditHmacKeyFile);
  if (key.length < AUDIT_HMAC_KEY_MIN_LENGTH) throw new ConfigError(`GATEWAY_AUDIT_HMAC_KEY_FILE: the key must be at least ${AUDIT_HMAC_KEY_MIN_LENGTH} characters`);
  return key;
}

/** Builds the configuration from an environment (defaults to `process.env`) and the file it names. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const fromEnv: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = env[SETTINGS[key].env];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const fileName = fromEnv.configFile as string | undefined;
  const fromFile = fileName ? readConfigFile(fileName) : {};
  const settings = parseSettings({ ...fromFile, ...fromEnv });
  const resolvedUpstream = resolveUpstream(settings);
  if (resolvedUpstream.kind === 'vertex' && Object.values(settings.models.backends).includes('ai-studio')) {
    throw new ConfigError('GATEWAY_MODELS: a model is routed to ai-studio but the default upstream is vertex; make ai-studio the default (GEMINI_API_KEY) and route models to vertex instead');
  }
  if (settings.tracesExporter === 'cloud-trace' && settings.project === undefined) {
    throw new ConfigError('OTEL_TRACES_EXPORTER=cloud-trace: needs GOOGLE_CLOUD_PROJECT, the project whose Cloud Trace receives the spans');
  }
  const allCallers = resolveCallers(settings);
  return {
    ...settings,
    resolvedUpstream,
    secondaryVertex: resolveSecondaryVertex(settings, resolvedUpstream),
    resolvedAuthMode: resolveAuthMode(settings, resolvedUpstream, allCallers),
    allCallers,
    ...resolveRedis(settings),
    resolvedAuditHmacKey: resolveAuditHmacKey(settings),
  };
}
