/**
 * Loads the settings from an optional JSON file and the environment (the environment wins), validates them
 * with the schemas in `settings.ts`, and resolves what follows from them (which upstream, its URL).
 * A bad setting stops start-up with a message that names it.
 */
import { readFileSync } from 'node:fs';
import { type z } from 'zod';
import { SETTINGS, type SettingKey, type Settings } from './settings';

export type UpstreamKind = 'emulator' | 'ai-studio' | 'vertex';

export type UpstreamConfig =
  | { kind: 'emulator' }
  | { kind: 'ai-studio'; baseUrl: string; apiKey?: string; apiKeyFile?: string }
  | { kind: 'vertex'; baseUrl: string; project: string; location: string };

export interface GatewayConfig extends Settings {
  resolvedUpstream: UpstreamConfig;
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
      return { kind };
    case 'ai-studio':
      if (!hasKey) throw new ConfigError('GEMINI_API_KEY or GEMINI_API_KEY_FILE: required with the ai-studio upstream');
      return { kind, baseUrl: s.geminiBaseUrl, apiKey: s.apiKey, apiKeyFile: s.apiKeyFile };
    case 'vertex':
      if (s.project === undefined) throw new ConfigError('GOOGLE_CLOUD_PROJECT: required with the vertex upstream');
      return { kind, baseUrl: s.vertexBaseUrl ?? defaultVertexBaseUrl(s.location), project: s.project, location: s.location };
  }
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
  return { ...settings, resolvedUpstream: resolveUpstream(settings) };
}
