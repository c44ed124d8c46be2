import { allowedOutputTokens } from './estimate';

test("the output a call may produce: maxOutputTokens (or the default) for each of its candidates; none for methods that generate nothing", () => {
  expect(allowedOutputTokens('generateContent', { contents: [] }, 8192)).toBe(8192);
  expect(allowedOutputTokens('streamGenerateContent', { generationConfig: { maxOutputTokens: 1000 } }, 8192)).toBe(1000);
  // Gemini applies maxOutputTokens to each candidate: n = 8 may produce eight times as much.
  expect(allowedOutputTokens('generateContent', { generationConfig: { maxOutputTokens: 1000, candidateCount: 8 } }, 8192)).toBe(8000);
  expect(allowedOutputTokens('generateContent', { generationConfig: { candidateCount: 2 } }, 8192)).toBe(16_384);
  expect(allowedOutputTokens('embedContent', { generationConfig: { maxOutputTokens: 1000 } }, 8192)).toBe(0);
});
