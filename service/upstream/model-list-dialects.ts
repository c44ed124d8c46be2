/**
 * Models list and get between the dialects. The Gemini API names a model `models/{id}` and lists them under
 * `models`; Vertex names a base model `publishers/google/models/{id}` and lists them under
 * `publisherModels`. An SDK reads only its own list key, and apps pass a listed name back into calls, so the
 * key and the names are rewritten for the caller's dialect. The models' other fields, and page tokens,
 * pass as the upstream sent them.
 */
import { jsonRewrite } from './json-rewrite';
import type { AnswerRewrite } from './types';

const GEMINI_API_PREFIX = 'models/';
const VERTEX_PREFIX = 'publishers/google/models/';

function rewriteModels(fromKey: string, toKey: string, fromPrefix: string, toPrefix: string): AnswerRewrite {
  const rename = (model: unknown): void => {
    const named = model as { name?: unknown } | null;
    if (typeof named?.name === 'string' && named.name.startsWith(fromPrefix)) named.name = toPrefix + named.name.slice(fromPrefix.length);
  };
  return jsonRewrite((page) => {
    const models = page[fromKey];
    if (Array.isArray(models)) {
      models.forEach(rename);
      delete page[fromKey];
      page[toKey] = models;
    } else {
      // One model (a get).
      rename(page);
    }
  });
}

/** A Vertex models page or model for a Gemini API caller. */
export const modelsForGeminiApi: AnswerRewrite = rewriteModels('publisherModels', 'models', VERTEX_PREFIX, GEMINI_API_PREFIX);

/** A Gemini API models page or model for a Vertex caller. */
export const modelsForVertex: AnswerRewrite = rewriteModels('models', 'publisherModels', GEMINI_API_PREFIX, VERTEX_PREFIX);
