import { GoogleApiError } from './errors';
import { camelCaseRequest } from './field-names';

test('a request already in lowerCamelCase is returned as it is, the same object', () => {
  const body = { contents: [{ role: 'user', parts: [{ text: 'hi', inlineData: { mimeType: 'image/png', data: 'AA==' } }] }], generationConfig: { maxOutputTokens: 5 } };
  expect(camelCaseRequest('generateContent', body)).toBe(body);
});

test('the fields the gateway reads are renamed: config, thinking, contents, parts, inline and file data', () => {
  const body = {
    system_instruction: { parts: [{ text: 'Be brief.' }] },
    contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: 'AA==' } }, { file_data: { mime_type: 'video/mp4', file_uri: 'gs://b/v.mp4' } }] }],
    generation_config: { max_output_tokens: 100, thinking_config: { thinking_budget: 0 }, response_mime_type: 'application/json' },
    cached_content: 'cachedContents/abc',
  };
  expect(camelCaseRequest('generateContent', body)).toEqual({
    systemInstruction: { parts: [{ text: 'Be brief.' }] },
    contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' } }, { fileData: { mimeType: 'video/mp4', fileUri: 'gs://b/v.mp4' } }] }],
    generationConfig: { maxOutputTokens: 100, thinkingConfig: { thinkingBudget: 0 }, responseMimeType: 'application/json' },
    cachedContent: 'cachedContents/abc',
  });
});

test("the caller's own names stay: function arguments and responses, schemas, labels", () => {
  const body = {
    contents: [{ parts: [{ function_call: { name: 'f', args: { user_id: 1 } } }, { function_response: { name: 'f', response: { first_name: 'A' } } }] }],
    generation_config: { response_schema: { type: 'OBJECT', properties: { first_name: { type: 'STRING' } } } },
    labels: { cost_center: 'x' },
  };
  expect(camelCaseRequest('generateContent', body)).toEqual({
    contents: [{ parts: [{ functionCall: { name: 'f', args: { user_id: 1 } } }, { functionResponse: { name: 'f', response: { first_name: 'A' } } }] }],
    generationConfig: { responseSchema: { type: 'OBJECT', properties: { first_name: { type: 'STRING' } } } },
    labels: { cost_center: 'x' },
  });
});

test('inside batch requests and the legacy countTokens wrapper too; Vertex predict instances never', () => {
  expect(camelCaseRequest('batchEmbedContents', { requests: [{ model: 'models/m', task_type: 'RETRIEVAL_QUERY', content: { parts: [{ text: 'a' }] } }] })).toEqual({
    requests: [{ model: 'models/m', taskType: 'RETRIEVAL_QUERY', content: { parts: [{ text: 'a' }] } }],
  });
  expect(camelCaseRequest('countTokens', { generate_content_request: { model: 'models/m', system_instruction: { parts: [{ text: 's' }] } } })).toEqual({
    generateContentRequest: { model: 'models/m', systemInstruction: { parts: [{ text: 's' }] } },
  });
  const predict = { instances: [{ content: 'a', task_type: 'RETRIEVAL_QUERY' }] };
  expect(camelCaseRequest('predict', predict)).toBe(predict);
});

test('a field sent under both names is a 400 naming both', () => {
  const body = { contents: [{ parts: [{ inline_data: { data: 'AA==' }, inlineData: { data: 'AA==' } }] }] };
  expect(() => camelCaseRequest('generateContent', body)).toThrow(GoogleApiError);
  expect(() => camelCaseRequest('generateContent', body)).toThrow('contents[0].parts[0].inline_data and contents[0].parts[0].inlineData are the same field; send it once.');
});
