/**
 * Gemini's model resources → OpenAI's model objects. Gemini names a model `models/gemini-2.5-flash` (AI
 * Studio) or `publishers/google/models/…` (Vertex); OpenAI clients want the bare id they will send back as
 * `model`. Gemini has no creation time, so `created` comes from the caller (e.g. the gateway's start time).
 */
import type { ModelsList, OpenAIModel } from './types';

export interface GeminiModelResource {
  name?: string;
  [other: string]: unknown;
}

export interface GeminiModelsPage {
  models?: GeminiModelResource[];
  publisherModels?: GeminiModelResource[];
  tunedModels?: GeminiModelResource[];
  [other: string]: unknown;
}

export function modelIdOf(name: string): string {
  return name.replace(/^(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/google\/models\//, '').replace(/^models\//, '');
}

export function modelToOpenAI(model: GeminiModelResource, ctx: { created: number }): OpenAIModel | undefined {
  if (typeof model?.name !== 'string' || model.name.length === 0) return undefined;
  return { id: modelIdOf(model.name), object: 'model', created: ctx.created, owned_by: 'google' };
}

export function modelsToOpenAI(page: GeminiModelsPage, ctx: { created: number }): ModelsList {
  const resources = page.models ?? page.publisherModels ?? page.tunedModels ?? [];
  const data = (Array.isArray(resources) ? resources : []).map((m) => modelToOpenAI(m, ctx)).filter((m): m is OpenAIModel => m !== undefined);
  return { object: 'list', data };
}
