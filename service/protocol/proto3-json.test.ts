import { GoogleApiError } from './errors';
import { proto3Normalized } from './proto3-json';

test('a request already as the SDKs send it is returned as it is, the same object', () => {
  const body = { contents: [{ role: 'user', parts: [{ text: 'hi', inlineData: { mimeType: 'image/png', data: 'AA==' } }] }], generationConfig: { maxOutputTokens: 5 } };
  expect(proto3Normalized('generateContent', body)).toBe(body);
});

test('the fields the gateway reads are renamed: config, thinking, contents, parts, inline and file data', () => {
  const body = {
    system_instruction: { parts: [{ text: 'Be brief.' }] },
    contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: 'AA==' } }, { file_data: { mime_type: 'video/mp4', file_uri: 'gs://b/v.mp4' } }] }],
    generation_config: { max_output_tokens: 100, thinking_config: { thinking_budget: 0 }, response_mime_type: 'application/json' },
    cached_content: 'cachedContents/abc',
  };
  expect(proto3Normalized('generateContent', body)).toEqual({
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
  expect(proto3Normalized('generateContent', body)).toEqual({
    contents: [{ parts: [{ functionCall: { name: 'f', args: { user_id: 1 } } }, { functionResponse: { name: 'f', response: { first_name: 'A' } } }] }],
    generationConfig: { responseSchema: { type: 'OBJECT', properties: { first_name: { type: 'STRING' } } } },
    labels: { cost_center: 'x' },
  });
});

test('inside batch requests and the legacy countTokens wrapper too; Vertex predict instances never', () => {
  expect(proto3Normalized('batchEmbedContents', { requests: [{ model: 'models/m', task_type: 'RETRIEVAL_QUERY', content: { parts: [{ text: 'a' }] } }] })).toEqual({
    requests: [{ model: 'models/m', taskType: 'RETRIEVAL_QUERY', content: { parts: [{ text: 'a' }] } }],
  });
  expect(proto3Normalized('countTokens', { generate_content_request: { model: 'models/m', system_instruction: { parts: [{ text: 's' }] } } })).toEqual({
    generateContentRequest: { model: 'models/m', systemInstruction: { parts: [{ text: 's' }] } },
  });
  const predict = { instances: [{ content: 'a', task_type: 'RETRIEVAL_QUERY' }] };
  expect(proto3Normalized('predict', predict)).toBe(predict);
});

test('a field sent under both names is a 400 naming both', () => {
  const body = { contents: [{ parts: [{ inline_data: { data: 'AA==' }, inlineData: { data: 'AA==' } }] }] };
  expect(() => proto3Normalized('generateContent', body)).toThrow(GoogleApiError);
  expect(() => proto3Normalized('generateContent', body)).toThrow('contents[0].parts[0].inline_data and contents[0].parts[0].inlineData are the same field; send it once.');
});

test('a null field is a field left out, in every message the gateway reads', () => {
  const body = {
    contents: [{ role: null, parts: [{ text: 'hi', inlineData: null, thought: null }] }],
    systemInstruction: null,
    tools: null,
    generationConfig: { temperature: null, stopSequences: null, thinkingConfig: { thinkingBudget: null } },
  };
  expect(proto3Normalized('generateContent', body)).toEqual({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { thinkingConfig: {} } });
  expect(proto3Normalized('embedContent', { content: { parts: [{ text: 'a' }] }, title: null, outputDimensionality: null })).toEqual({ content: { parts: [{ text: 'a' }] } });
});

test('a null that is a value stays: responseJsonSchema, function arguments and responses, schemas', () => {
  const body = {
    contents: [{ parts: [{ functionCall: { name: 'f', args: { note: null } } }, { functionResponse: { name: 'f', response: { result: null } } }] }],
    generationConfig: { responseJsonSchema: null, responseSchema: { type: 'OBJECT', nullable: true, default: null } },
  };
  expect(proto3Normalized('generateContent', body)).toBe(body);
});

test('a number in a string is the number in the numeric fields the gateway reads, and only there', () => {
  const body = {
    contents: [{ parts: [{ text: '42' }] }],
    generationConfig: { temperature: '0.5', topP: '.9', topK: '40', maxOutputTokens: '1e3', seed: '-7', candidateCount: 'two', responseMimeType: '1', thinkingConfig: { thinkingBudget: '128' } },
  };
  expect(proto3Normalized('generateContent', body)).toEqual({
    contents: [{ parts: [{ text: '42' }] }],
    generationConfig: { temperature: 0.5, topP: 0.9, topK: 40, maxOutputTokens: 1000, seed: -7, candidateCount: 'two', responseMimeType: '1', thinkingConfig: { thinkingBudget: 128 } },
  });
  expect(proto3Normalized('batchEmbedContents', { requests: [{ content: { parts: [{ text: 'a' }] }, output_dimensionality: '256' }] })).toEqual({
    requests: [{ content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 }],
  });
});

test('null is a field left out in function calls and responses, tools, function declarations and safety settings too', () => {
  const body = {
    contents: [{ parts: [{ functionCall: { name: 'f', args: null, id: null } }, { functionResponse: { name: 'f', response: null } }] }],
    tools: [{ functionDeclarations: [{ name: 'f', description: null, parameters: null, parametersJsonSchema: null }], googleSearch: null }],
    safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: null }],
  };
  expect(proto3Normalized('generateContent', body)).toEqual({
    contents: [{ parts: [{ functionCall: { name: 'f' } }, { functionResponse: { name: 'f' } }] }],
    tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: null }] }],
    safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT' }],
  });
});

test('a number in a string too large for a double is not read as Infinity: it stays, to be refused', () => {
  const body = { contents: [{ parts: [{ text: 'a' }] }], generationConfig: { presencePenalty: '1e400', temperature: '-1e999' } };
  expect(proto3Normalized('generateContent', body)).toBe(body);
});
