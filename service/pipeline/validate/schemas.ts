/**
 * zod schemas of the Gemini request bodies. Strict on the types of the fields the gateway and Google
 * depend on, loose everywhere else: unknown fields pass through untouched (`z.looseObject`), because the
 * API grows faster than any copy of its schema and a gateway must never break a real client.
 */
import { z } from 'zod';

/** Google's wording for a missing required field. */
const required = (field: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? `${field} is not specified` : undefined) });

const blob = z.looseObject({ mimeType: z.string().min(1), data: z.string() });
const fileData = z.looseObject({ mimeType: z.string().optional(), fileUri: z.string().min(1) });

export const partSchema = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  inlineData: blob.optional(),
  fileData: fileData.optional(),
  functionCall: z.looseObject({ name: z.string().optional(), args: z.record(z.string(), z.unknown()).optional() }).optional(),
  functionResponse: z.looseObject({ name: z.string().optional(), response: z.record(z.string(), z.unknown()).optional() }).optional(),
});

const contentShape = { role: z.string().optional(), parts: z.array(partSchema).optional() };
export const contentSchema = z.looseObject(contentShape);

const schemaObject = z.record(z.string(), z.unknown());

export const generationConfigSchema = z.looseObject({
  temperature: z.number().optional(),
  topP: z.number().optional(),
  topK: z.number().optional(),
  candidateCount: z.number().int().optional(),
  maxOutputTokens: z.number().int().min(1).optional(),
  stopSequences: z.array(z.string()).optional(),
  seed: z.number().int().optional(),
  responseMimeType: z.string().optional(),
  responseSchema: schemaObject.optional(),
  responseJsonSchema: z.unknown().optional(),
  responseModalities: z.array(z.string()).optional(),
  thinkingConfig: z
    .looseObject({ thinkingBudget: z.number().int().optional(), includeThoughts: z.boolean().optional(), thinkingLevel: z.string().optional() })
    .optional(),
});

export const generateContentRequestSchema = z.looseObject({
  contents: z.array(contentSchema, required('contents')).min(1, 'contents is not specified'),
  systemInstruction: contentSchema.optional(),
  tools: z.array(z.looseObject({ functionDeclarations: z.array(z.looseObject({ name: z.string() })).optional() })).optional(),
  toolConfig: z.looseObject({}).optional(),
  generationConfig: generationConfigSchema.optional(),
  safetySettings: z.array(z.looseObject({ category: z.string().optional(), threshold: z.string().optional() })).optional(),
  cachedContent: z.string().optional(),
});

export const countTokensRequestSchema = z.union([
  z.looseObject({ generateContentRequest: generateContentRequestSchema.partial({ contents: true }) }),
  z.looseObject({ contents: z.array(contentSchema) }),
]);

export const embedContentRequestSchema = z.looseObject({
  content: z.looseObject(contentShape, required('content')),
  taskType: z.string().optional(),
  title: z.string().optional(),
  outputDimensionality: z.number().int().min(1).optional(),
});

export const batchEmbedContentsRequestSchema = z.looseObject({
  requests: z.array(embedContentRequestSchema.extend({ model: z.string().optional() }), required('requests')).min(1, 'requests is not specified'),
});

export const computeTokensRequestSchema = z.looseObject({ contents: z.array(contentSchema) });

export const predictRequestSchema = z.looseObject({ instances: z.array(z.looseObject({}), required('instances')).min(1, 'instances is not specified') });

export type GenerateContentRequest = z.output<typeof generateContentRequestSchema>;
