/**
 * countTokens bodies between the dialects. The Gemini API counts `contents` alone, or a whole request
 * wrapped in `generateContentRequest` (the legacy SDK always wraps, so that a system instruction, tools and
 * generation config are counted too); Vertex takes those fields at the top level and knows no wrapper.
 * Both answer with `totalTokens`, so only the body changes. Undefined: the body is right as it is.
 */

/** The request fields Vertex's countTokens takes besides `contents` (and the Gemini API's, wrapped). */
export const COUNTED_FIELDS = ['systemInstruction', 'tools', 'generationConfig'] as const;

function pick(from: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((field) => from[field] !== undefined).map((field) => [field, from[field]]));
}

/** A Gemini API countTokens body for Vertex: the wrapped request's fields at the top level. */
export function countTokensForVertex(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const wrapped = body.generateContentRequest as Record<string, unknown> | undefined;
  if (wrapped === undefined) return undefined;
  return pick(wrapped, ['contents', ...COUNTED_FIELDS]);
}

/** A Vertex countTokens body for the Gemini API: wrapped as a request when it has more than `contents`. */
export function countTokensForGeminiApi(model: string, body: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!COUNTED_FIELDS.some((field) => body[field] !== undefined)) return undefined;
  return { generateContentRequest: { model: `models/${model}`, ...pick(body, ['contents', ...COUNTED_FIELDS]) } };
}
