/** Input-token estimates made before the call (reconciled with the real `usageMetadata` after it). */
import { estimateContentsTokens, estimateTextTokens, type Content } from '../protocol/content';

export function estimateInputTokens(body: Record<string, unknown>): number {
  const request = (body.generateContentRequest as Record<string, unknown> | undefined) ?? body;
  let tokens = estimateContentsTokens(request.contents as Content[] | undefined);
  if (request.systemInstruction) tokens += estimateContentsTokens([request.systemInstruction]);
  // Tool declarations are sent to the model with every turn and billed as input.
  if (request.tools) tokens += estimateTextTokens(JSON.stringify(request.tools));
  if (body.content) tokens += estimateContentsTokens([body.content]);
  if (Array.isArray(body.requests)) for (const r of body.requests as Array<{ content?: Content }>) tokens += estimateContentsTokens(r.content ? [r.content] : []);
  // Vertex's predict: an embedding instance holds its text in `content`, an image model's in `prompt`.
  if (Array.isArray(body.instances)) {
    for (const instance of body.instances as Array<Record<string, unknown>>) {
      const text = typeof instance.content === 'string' ? instance.content : instance.prompt;
      if (typeof text === 'string') tokens += estimateTextTokens(text);
    }
  }
  return tokens;
}

/**
 * Output tokens a call may produce: reserved before it, and charged when its real length stays unknown.
 * The request's `maxOutputTokens`, else `defaultMax`, for each of its `candidateCount` answers (Gemini
 * applies the maximum to each); methods that generate nothing produce none.
 */
export function allowedOutputTokens(method: string, body: Record<string, unknown>, defaultMax: number): number {
  if (method !== 'generateContent' && method !== 'streamGenerateContent') return 0;
  const config = body.generationConfig as { maxOutputTokens?: unknown; candidateCount?: unknown } | undefined;
  const perAnswer = typeof config?.maxOutputTokens === 'number' ? config.maxOutputTokens : defaultMax;
  const answers = typeof config?.candidateCount === 'number' && config.candidateCount >= 1 ? Math.floor(config.candidateCount) : 1;
  return perAnswer * answers;
}
