/** Reading `usageMetadata` from an answer: from its tail when Gemini's field order allows, else from the whole. */
import { predictTokenCount, usageOfAnswer } from './audit';

const usage = { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 };
const answer = (text: string, extra: Record<string, unknown> = { usageMetadata: usage, modelVersion: 'gemini-3.5-flash' }) =>
  JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }], ...extra });

test('a unary body, as bytes or as text', () => {
  expect(usageOfAnswer(Buffer.from(answer('hello')))).toEqual(usage);
  expect(usageOfAnswer(answer('hello'))).toEqual(usage);
});

test('text that quotes the key changes nothing, before the real key or without one', () => {
  expect(usageOfAnswer(answer('say "usageMetadata": {"promptTokenCount": 999}'))).toEqual(usage);
  expect(usageOfAnswer(answer('say "usageMetadata": {"promptTokenCount": 999}', {}))).toBeUndefined();
});

test('usage placed before other fields, or nested, is still found through the whole answer', () => {
  const reordered = JSON.stringify({ usageMetadata: usage, candidates: [{ content: { parts: [{ text: 'x' }] } }] });
  expect(usageOfAnswer(reordered)).toEqual(usage);
});

test('no usage, or not JSON, is undefined', () => {
  expect(usageOfAnswer('{"candidates":[]}')).toBeUndefined();
  expect(usageOfAnswer('{"usageMetadata": ')).toBeUndefined();
  expect(usageOfAnswer(Buffer.from('{"usageMetadata": 3}'))).toBeUndefined();
});

test('Vertex predict: the token counts of its embeddings, or nothing when one is missing', () => {
  const prediction = (count?: number) => ({ embeddings: { values: [0.1], statistics: count === undefined ? { truncated: false } : { truncated: false, token_count: count } } });
  expect(predictTokenCount(JSON.stringify({ predictions: [prediction(3), prediction(4)] }))).toBe(7);
  expect(predictTokenCount(Buffer.from(JSON.stringify({ predictions: [prediction(3), prediction()] })))).toBeUndefined();
  expect(predictTokenCount('{"predictions":"x"}')).toBeUndefined();
  expect(predictTokenCount('not json')).toBeUndefined();
});
