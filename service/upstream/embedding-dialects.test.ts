/** Embedding bodies planned as calls in the other dialect, and the answers put back in the caller's. */
import type { GoogleApiError } from '../protocol/errors';
import { planGeminiApiEmbeddings, planVertexEmbeddings } from './embedding-dialects';

const text = (t: string) => ({ role: 'user', parts: [{ text: t }] });
const prediction = (values: number[]) => ({ embeddings: { values, statistics: { truncated: false, token_count: 1 } } });

test('a text-embedding model: one predict call for the whole batch, options as Vertex names them', () => {
  const plan = planVertexEmbeddings('batchEmbedContents', 'text-embedding-005', {
    requests: [
      { model: 'models/text-embedding-005', content: text('a'), taskType: 'RETRIEVAL_DOCUMENT', title: 'Doc', outputDimensionality: 8 },
      { model: 'models/text-embedding-005', content: text('b'), taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 8 },
    ],
  });
  expect(plan.method).toBe('predict');
  expect(plan.bodies).toEqual([
    {
      instances: [
        { content: 'a', task_type: 'RETRIEVAL_DOCUMENT', title: 'Doc' },
        { content: 'b', task_type: 'RETRIEVAL_DOCUMENT' },
      ],
      parameters: { outputDimensionality: 8 },
    },
  ]);
  expect(plan.answer([{ predictions: [prediction([1, 2]), prediction([3, 4])], metadata: { billableCharacterCount: 2 } }])).toEqual({ embeddings: [{ values: [1, 2] }, { values: [3, 4] }] });
});

test('gemini-embedding-001: one predict call per text, answers kept in order', () => {
  const plan = planVertexEmbeddings('batchEmbedContents', 'gemini-embedding-001', { requests: [{ content: text('a') }, { content: text('b') }] });
  expect(plan.bodies).toEqual([{ instances: [{ content: 'a' }] }, { instances: [{ content: 'b' }] }]);
  expect(plan.answer([{ predictions: [prediction([1])] }, { predictions: [prediction([2])] }])).toEqual({ embeddings: [{ values: [1] }, { values: [2] }] });
});

test('embedContent answers with one embedding', () => {
  const plan = planVertexEmbeddings('embedContent', 'text-embedding-004', { content: text('hello'), outputDimensionality: 4 });
  expect(plan.bodies).toEqual([{ instances: [{ content: 'hello' }], parameters: { outputDimensionality: 4 } }]);
  expect(plan.answer([{ predictions: [prediction([0.5, 0.5, 0.5, 0.5])] }])).toEqual({ embedding: { values: [0.5, 0.5, 0.5, 0.5] } });
});

test('newer Gemini embedding models: Vertex embedContent per content, options under embedContentConfig', () => {
  const image = { role: 'user', parts: [{ text: 'caption' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] };
  const plan = planVertexEmbeddings('batchEmbedContents', 'gemini-embedding-2', { requests: [{ content: text('a'), taskType: 'CLUSTERING', outputDimensionality: 16 }, { content: image }] });
  expect(plan.method).toBe('embedContent');
  expect(plan.bodies).toEqual([
    { content: text('a'), embedContentConfig: { taskType: 'CLUSTERING', outputDimensionality: 16 } },
    { content: image, embedContentConfig: {} },
  ]);
  expect(plan.answer([{ embedding: { values: [1] }, usageMetadata: { promptTokenCount: 1 } }, { embedding: { values: [2] } }])).toEqual({ embeddings: [{ values: [1] }, { values: [2] }] });
});

test.each([
  ['a content of two parts', { requests: [{ content: { parts: [{ text: 'a' }, { text: 'b' }] } }] }, /exactly one text part/],
  ['a content without text', { requests: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' } }] } }] }, /exactly one text part/],
  ['a batch asking for different dimensionalities', { requests: [{ content: text('a'), outputDimensionality: 8 }, { content: text('b') }] }, /same outputDimensionality/],
])('predict cannot carry %s: a 400 that says why', (_what, body, message) => {
  expect(() => planVertexEmbeddings('batchEmbedContents', 'text-embedding-005', body)).toThrow(message);
  expect(() => planVertexEmbeddings('batchEmbedContents', 'text-embedding-005', body)).toThrow(expect.objectContaining({ httpStatus: 400 }) as GoogleApiError);
});

test('a Vertex answer without the embeddings asked for is a 502, not a short list', () => {
  const plan = planVertexEmbeddings('batchEmbedContents', 'text-embedding-005', { requests: [{ content: text('a') }, { content: text('b') }] });
  expect(() => plan.answer([{ predictions: [prediction([1])] }])).toThrow(expect.objectContaining({ httpStatus: 502 }) as GoogleApiError);
  expect(() => plan.answer([{ predictions: [{ embeddings: {} }, prediction([1])] }])).toThrow(/without embedding values/);
});

test('Vertex predict on the Gemini API: batches of at most 100 texts, options as the Gemini API names them, predictions in order', () => {
  const instances = Array.from({ length: 150 }, (_, i) => ({ content: `t${i}`, task_type: 'RETRIEVAL_QUERY' }));
  const plan = planGeminiApiEmbeddings('predict', 'text-embedding-005', { instances, parameters: { outputDimensionality: 4 } });
  expect(plan.method).toBe('batchEmbedContents');
  expect(plan.bodies.map((b) => (b.requests as unknown[]).length)).toEqual([100, 50]);
  expect((plan.bodies[0]?.requests as unknown[])[0]).toEqual({ model: 'models/text-embedding-005', content: { parts: [{ text: 't0' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 4 });
  const answer = plan.answer([{ embeddings: Array.from({ length: 100 }, (_, i) => ({ values: [i] })) }, { embeddings: Array.from({ length: 50 }, (_, i) => ({ values: [100 + i] })) }]);
  expect((answer.predictions as unknown[]).slice(99, 101)).toEqual([{ embeddings: { values: [99] } }, { embeddings: { values: [100] } }]);
  expect(() => plan.answer([{ embeddings: [] }, { embeddings: [] }])).toThrow(expect.objectContaining({ httpStatus: 502 }) as GoogleApiError);
});

test('Vertex embedContent on the Gemini API: embedContentConfig becomes top-level fields', () => {
  const content = { role: 'user', parts: [{ text: 'x' }] };
  const plan = planGeminiApiEmbeddings('embedContent', 'gemini-embedding-2', { content, embedContentConfig: { taskType: 'CLUSTERING', outputDimensionality: 8 } });
  expect(plan).toMatchObject({ method: 'embedContent', bodies: [{ content, taskType: 'CLUSTERING', outputDimensionality: 8 }] });
  expect(plan.answer([{ embedding: { values: [1, 2] } }])).toEqual({ embedding: { values: [1, 2] } });
});

test('a predict instance without its text as a string is a 400', () => {
  expect(() => planGeminiApiEmbeddings('predict', 'text-embedding-005', { instances: [{ content: { parts: [] } }] })).toThrow(/instances\[0\]\.content: an embedding instance holds its text as a string/);
});
