/** Model names and list keys between the dialects; tuned and other names, page tokens and fields left alone. */
import { modelsForGeminiApi, modelsForVertex } from './model-list-dialects';

test('a Vertex page becomes a Gemini API page: key and names, token and fields kept', () => {
  const page = { publisherModels: [{ name: 'publishers/google/models/gemini-3.5-flash', versionId: '001' }], nextPageToken: 't' };
  expect(JSON.parse(modelsForGeminiApi(JSON.stringify(page)))).toEqual({ models: [{ name: 'models/gemini-3.5-flash', versionId: '001' }], nextPageToken: 't' });
});

test('a Gemini API model becomes a Vertex one; a name of another form is kept', () => {
  expect(JSON.parse(modelsForVertex('{"name":"models/gemini-3.5-flash","inputTokenLimit":1}'))).toEqual({ name: 'publishers/google/models/gemini-3.5-flash', inputTokenLimit: 1 });
  expect(JSON.parse(modelsForVertex('{"models":[{"name":"tunedModels/mine"}]}'))).toEqual({ publisherModels: [{ name: 'tunedModels/mine' }] });
  expect(modelsForVertex('not json')).toBe('not json');
});
