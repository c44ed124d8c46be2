/**
 * The OpenAI-compatible surface's translation layer: pure functions between OpenAI's Chat Completions /
 * Embeddings / Models wire format and Gemini's REST API. No Express, no I/O. See README-translation.md.
 */
export { parseChatRequest, parseEmbeddingsRequest, ignoredChatFields, ignoredEmbeddingsFields } from './schemas';
export type { ChatRequest, ChatMessage, EmbeddingsRequest } from './schemas';
export { chatToGemini, thinkingStyleFor, thinkingForEffort, normalizeModelName } from './to-gemini';
export type { ChatToGeminiOptions, GeminiCall, ThinkingStyle } from './to-gemini';
export { geminiToChat, usageFrom, mapFinishReason } from './from-gemini';
export type { ChatResponseContext } from './from-gemini';
export { ChatStreamTranslator, sseEvent, sseFrame, OPENAI_SSE_DONE } from './stream';
export type { ChatStreamContext, ChatStreamOutput } from './stream';
export { embeddingsToGemini, geminiToEmbeddings, float32Base64, GEMINI_EMBED_BATCH_LIMIT } from './embeddings';
export type { EmbeddingsCall, BatchEmbedContentsBody, BatchEmbedContentsResponse } from './embeddings';
export { modelsToOpenAI, modelToOpenAI } from './models';
export { toOpenAIError, OpenAIRequestError } from './errors';
export { toolCallId, thoughtSignatureFromId } from './tool-call-ids';
export type * from './types';
