import { fingerprint } from './key';

const path = { collection: 'models', dialect: 'ai-studio', method: 'generateContent' } as const;
const body = { contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { temperature: 0 } };

test('the same request in any field order has one key', () => {
  const reordered = { generationConfig: { temperature: 0 }, contents: [{ parts: [{ text: 'hi' }] }] };
  expect(fingerprint('m', path, 'team-a', reordered)).toEqual(fingerprint('m', path, 'team-a', body));
});

test('a tuned model is not the base model of the same id, nor one dialect the other, nor one caller another', () => {
  const key = fingerprint('m', path, 'team-a', body).cacheKey;
  expect(fingerprint('m', { ...path, collection: 'tunedModels' }, 'team-a', body).cacheKey).not.toBe(key);
  expect(fingerprint('m', { ...path, dialect: 'vertex', collection: 'publishers/google/models' }, 'team-a', body).cacheKey).not.toBe(key);
  expect(fingerprint('m', path, 'team-b', body).cacheKey).not.toBe(key);
  expect(fingerprint('m', path, 'team-a', { ...body, generationConfig: { temperature: 1 } }).cacheKey).not.toBe(key);
});
