/** countTokens bodies between the dialects: unwrapped for Vertex, wrapped for the Gemini API, untouched when already right. */
import { countTokensForGeminiApi, countTokensForVertex } from './count-tokens-dialects';

const contents = [{ role: 'user', parts: [{ text: 'abcdefgh' }] }];
const systemInstruction = { role: 'system', parts: [{ text: 'Be brief.' }] };

test('the legacy SDK\'s wrapper is unwrapped for Vertex, keeping what Vertex counts', () => {
  const wrapped = { generateContentRequest: { model: 'models/gemini-3.5-flash', contents, systemInstruction, generationConfig: {}, safetySettings: [] } };
  expect(countTokensForVertex(wrapped)).toEqual({ contents, systemInstruction, generationConfig: {} });
  expect(countTokensForVertex({ contents })).toBeUndefined();
});

test('Vertex\'s top-level fields are wrapped for the Gemini API, with the model the wrapper needs', () => {
  const tools = [{ functionDeclarations: [{ name: 'f' }] }];
  expect(countTokensForGeminiApi('gemini-3.5-flash', { contents, systemInstruction, tools })).toEqual({
    generateContentRequest: { model: 'models/gemini-3.5-flash', contents, systemInstruction, tools },
  });
  expect(countTokensForGeminiApi('gemini-3.5-flash', { contents })).toBeUndefined();
});
