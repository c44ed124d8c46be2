/**
 * Embeddings both ways (batching at Gemini's limit, base64 float32 encoding, estimated usage, upstream
 * mismatches as 502) and the models list.
 */
import { batchEmbedContentsRequestSchema } from '../../../service/pipeline/validate/schemas';
import { GoogleApiError } from '../../../service/protocol/errors';
import { embeddingsToGemini, float32Base64, geminiToEmbeddings, modelsToOpenAI, modelToOpenAI, parseEmbeddingsRequest } from '../../../service/openai';

describe('embeddings request', () => {
  test('one string → one batch with one request, model prefixed as Gemini wants it', () => {
    expect(embeddingsToGemini(parseEmbeddingsRequest({ model: 'gemini-embedding-001', input: 'hello' }))).toEqual({
      model: 'gemini-embedding-001',
      batches: [{ requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] } }] }],
      inputs: ['hello'],
      encodingFormat: 'float',
    });
  });

  test('dimensions → outputDimensionality; the resolved model option wins; bodies pass the gateway schema', () => {
    const call = embeddingsToGemini(parseEmbeddingsRequest({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 256, encoding_format: 'base64' }), {
      model: 'models/gemini-embedding-2',
    });
    expect(call).toEqual({
      model: 'gemini-embedding-2',
      batches: [
        {
          requests: [
            { model: 'models/gemini-embedding-2', content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 },
            { model: 'models/gemini-embedding-2', content: { parts: [{ text: 'b' }] }, outputDimensionality: 256 },
          ],
        },
      ],
      inputs: ['a', 'b'],
      encodingFormat: 'base64',
    });
    for (const batch of call.batches) expect(batchEmbedContentsRequestSchema.safeParse(batch).success).toBe(true);
  });

  test('more inputs than Gemini takes per call are split in order (100 per batch by default)', () => {
    const inputs = Array.from({ length: 250 }, (_, i) => `t${i}`);
    const call = embeddingsToGemini(parseEmbeddingsRequest({ model: 'm', input: inputs }));
    expect(call.batches.map((b) => b.requests.length)).toEqual([100, 100, 50]);
    expect(call.batches.flatMap((b) => b.requests.map((r) => r.content.parts[0]!.text))).toEqual(inputs);
    expect(embeddingsToGemini(parseEmbeddingsRequest({ model: 'm', input: inputs }), { maxBatchSize: 1000 }).batches).toHaveLength(3);
    expect(embeddingsToGemini(parseEmbeddingsRequest({ model: 'm', input: inputs }), { maxBatchSize: 40 }).batches).toHaveLength(7);
  });
});

describe('embeddings response', () => {
  const call = embeddingsToGemini(parseEmbeddingsRequest({ model: 'm', input: ['abcd', 'abcdefgh', 'x'] }), { maxBatchSize: 2 });

  test('batches joined in order; usage estimated at four characters per token', () => {
    expect(geminiToEmbeddings([{ embeddings: [{ values: [0.1, -0.2] }, { values: [0.3, 0.4] }] }, { embeddings: [{ values: [0.5, 0.6] }] }], call, { model: 'text-embedding-3-small' })).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, -0.2] },
        { object: 'embedding', index: 1, embedding: [0.3, 0.4] },
        { object: 'embedding', index: 2, embedding: [0.5, 0.6] },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
  });

  test('encoding_format base64: float32 little-endian bytes, as OpenAI sends them', () => {
    const values = [0.5, -1.25, 3.4028234663852886e38];
    const encoded = float32Base64(values);
    const bytes = Buffer.from(encoded, 'base64');
    expect(bytes).toHaveLength(12);
    expect([0, 1, 2].map((i) => bytes.readFloatLE(i * 4))).toEqual(values);
    const base64Call = { ...call, encodingFormat: 'base64' as const };
    const out = geminiToEmbeddings([{ embeddings: [{ values }, { values }] }, { embeddings: [{ values: [] }] }], base64Call, { model: 'm' });
    expect(out.data.map((d) => d.embedding)).toEqual([encoded, encoded, '']);
  });

  test('an upstream answer with the wrong count or without values is a 502', () => {
    const wrongCount = () => geminiToEmbeddings([{ embeddings: [{ values: [1] }] }], call, { model: 'm' });
    expect(wrongCount).toThrow(GoogleApiError);
    expect(wrongCount).toThrow('Upstream returned 1 embeddings for 3 inputs.');
    expect(() => geminiToEmbeddings([{ embeddings: [{ values: [1] }, {}, { values: [2] }] }], call, { model: 'm' })).toThrow('Upstream embedding 1 has no values.');
    expect(() => geminiToEmbeddings([{}, { embeddings: [{ values: ['x' as unknown as number] }] }], { ...call, inputs: ['x'] }, { model: 'm' })).toThrow(/no values/);
  });
});

describe('models', () => {
  test('Gemini resources → OpenAI model objects with bare ids', () => {
    expect(
      modelsToOpenAI(
        {
          models: [
            { name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', supportedGenerationMethods: ['generateContent'] },
            { name: 'models/gemini-embedding-001' },
            { displayName: 'no name' },
          ],
          nextPageToken: 'abc',
        },
        { created: 1_700_000_000 },
      ),
    ).toEqual({
      object: 'list',
      data: [
        { id: 'gemini-2.5-flash', object: 'model', created: 1_700_000_000, owned_by: 'google' },
        { id: 'gemini-embedding-001', object: 'model', created: 1_700_000_000, owned_by: 'google' },
      ],
    });
  });

  test('Vertex publisher names, tuned models, an empty page', () => {
    expect(modelToOpenAI({ name: 'publishers/google/models/gemini-3.8-flash' }, { created: 1 })?.id).toBe('gemini-3.8-flash');
    expect(modelToOpenAI({ name: 'projects/p/locations/l/publishers/google/models/gemini-3.8-flash' }, { created: 1 })?.id).toBe('gemini-3.8-flash');
    expect(modelsToOpenAI({ tunedModels: [{ name: 'tunedModels/mine' }] }, { created: 1 }).data[0]?.id).toBe('tunedModels/mine');
    expect(modelsToOpenAI({}, { created: 1 })).toEqual({ object: 'list', data: [] });
  });
});
