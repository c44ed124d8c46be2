/** Citation field names between the dialects: renamed where present, everything else untouched. */
import { citationsForGeminiApi, citationsForVertex } from './citation-dialects';

const source = { startIndex: 0, endIndex: 40, uri: 'https://example.com/a' };
const answer = (citationMetadata: Record<string, unknown>) => JSON.stringify({ candidates: [{ content: { parts: [{ text: 'x' }] }, citationMetadata, index: 0 }], modelVersion: 'm' });

test('a Vertex answer\'s citations become citationSources for a Gemini API caller, and back', () => {
  expect(JSON.parse(citationsForGeminiApi(answer({ citations: [source] })))).toEqual(JSON.parse(answer({ citationSources: [source] })));
  expect(JSON.parse(citationsForVertex(answer({ citationSources: [source] })))).toEqual(JSON.parse(answer({ citations: [source] })));
});

test('an answer without them is handed on as it came, and so is one that does not parse', () => {
  const plain = JSON.stringify({ candidates: [{ content: { parts: [{ text: 'no sources here' }] } }] });
  expect(citationsForGeminiApi(plain)).toBe(plain);
  const broken = '{"candidates":[{"citationMetadata":{"citations":[';
  expect(citationsForGeminiApi(broken)).toBe(broken);
});
