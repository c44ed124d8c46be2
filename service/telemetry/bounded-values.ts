/**
 * Turning what the pipeline reports into bounded label and attribute values. Every function here maps an
 * unexpected input to a fixed fallback instead of passing it through, so no value a caller controls can
 * create a new series.
 */
import type { BackendKind } from '../upstream/types';
import { ERROR_TYPE_VALUE_OTHER, GEN_AI_OPERATION_NAME_VALUES, GEN_AI_PROVIDER_NAME_VALUES } from './semconv';

/** The label every model id outside the known set becomes. */
export const OTHER_MODEL = 'other';

/** Model ids as Google issues them (also the form `protocol/paths.ts` accepts). */
const MODEL_ID = /^[a-z0-9][a-z0-9._@-]{0,62}$/i;

/**
 * The default model mapping when the service does not pass its model catalogue: the first `limit` distinct
 * well-formed ids keep their name, every later or malformed one becomes `other`. Production passes a mapping
 * built from the configured model list instead (`createTelemetry({ modelLabel })`).
 */
export function firstSeenModelLabel(limit = 50): (model: string) => string {
  const seen = new Set<string>();
  return (model) => {
    if (!MODEL_ID.test(model)) return OTHER_MODEL;
    if (seen.has(model)) return model;
    if (seen.size >= limit) return OTHER_MODEL;
    seen.add(model);
    return model;
  };
}

/** A mapping that keeps exactly the given ids and turns everything else into `other`. */
export function knownModelLabel(models: Iterable<string>): (model: string) => string {
  const known = new Set(models);
  return (model) => (known.has(model) ? model : OTHER_MODEL);
}

const PROVIDERS: Record<BackendKind, string> = {
  'ai-studio': GEN_AI_PROVIDER_NAME_VALUES.GCP_GEMINI,
  vertex: GEN_AI_PROVIDER_NAME_VALUES.GCP_VERTEX_AI,
};

/** `gen_ai.provider.name` for a backend. */
export function providerName(backend: string): string {
  return PROVIDERS[backend as BackendKind] ?? GEN_AI_PROVIDER_NAME_VALUES.GCP_GEN_AI;
}

const OPERATIONS: Record<string, string> = {
  generateContent: GEN_AI_OPERATION_NAME_VALUES.GENERATE_CONTENT,
  streamGenerateContent: GEN_AI_OPERATION_NAME_VALUES.GENERATE_CONTENT,
  generate_content: GEN_AI_OPERATION_NAME_VALUES.GENERATE_CONTENT,
  embedContent: GEN_AI_OPERATION_NAME_VALUES.EMBEDDINGS,
  batchEmbedContents: GEN_AI_OPERATION_NAME_VALUES.EMBEDDINGS,
  predict: GEN_AI_OPERATION_NAME_VALUES.EMBEDDINGS,
  embeddings: GEN_AI_OPERATION_NAME_VALUES.EMBEDDINGS,
  countTokens: 'count_tokens',
  computeTokens: 'count_tokens',
  count_tokens: 'count_tokens',
};

/** `gen_ai.operation.name` for a Gemini method (`generateContent` → `generate_content`); unknown → `_OTHER`. */
export function operationName(operation: string): string {
  return OPERATIONS[operation] ?? ERROR_TYPE_VALUE_OTHER;
}

const ERROR_TYPE = /^[A-Za-z0-9_.]{1,40}$/;

/** A bounded `error.type`: a short code (`http_503`, `timeout`, `ECONNRESET`); anything else is `_OTHER`. */
export function boundedErrorType(errorType: string | undefined): string | undefined {
  if (errorType === undefined || errorType === '') return undefined;
  return ERROR_TYPE.test(errorType) ? errorType : ERROR_TYPE_VALUE_OTHER;
}

/** Picks `value` when it is one of `allowed`, else `fallback`. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
