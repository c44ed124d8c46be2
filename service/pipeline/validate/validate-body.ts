/**
 * Validate stage: the request body against the schema of its method. A violation becomes Google's 400
 * `INVALID_ARGUMENT` with a `google.rpc.BadRequest` detail naming every offending field.
 */
import type { z } from 'zod';
import { invalidArgument } from '../../protocol/errors';
import type { ModelMethod } from '../../protocol/paths';
import {
  batchEmbedContentsRequestSchema,
  computeTokensRequestSchema,
  countTokensRequestSchema,
  embedContentRequestSchema,
  generateContentRequestSchema,
  predictRequestSchema,
} from './schemas';

const SCHEMAS: Record<ModelMethod, { name: string; schema: z.ZodType }> = {
  generateContent: { name: 'GenerateContentRequest', schema: generateContentRequestSchema },
  streamGenerateContent: { name: 'GenerateContentRequest', schema: generateContentRequestSchema },
  countTokens: { name: 'CountTokensRequest', schema: countTokensRequestSchema },
  computeTokens: { name: 'ComputeTokensRequest', schema: computeTokensRequestSchema },
  embedContent: { name: 'EmbedContentRequest', schema: embedContentRequestSchema },
  batchEmbedContents: { name: 'BatchEmbedContentsRequest', schema: batchEmbedContentsRequestSchema },
  predict: { name: 'PredictRequest', schema: predictRequestSchema },
};

const MAX_VIOLATIONS = 10;

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** Throws a Google 400 when `body` does not fit `method`'s request schema. */
export function validateBody(method: ModelMethod, body: unknown): void {
  const { name, schema } = SCHEMAS[method];
  const result = schema.safeParse(body);
  if (result.success) return;
  const violations = result.error.issues.slice(0, MAX_VIOLATIONS).map((issue) => ({
    field: fieldPath(issue.path),
    description: issue.message,
  }));
  const summary = violations.map((v) => `* ${name}${v.field ? `.${v.field}` : ''}: ${v.description}`).join('\n');
  throw invalidArgument(summary, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations }]);
}
