/**
 * Request validation: what the OpenAI surface accepts, what it ignores (and says so), and how wrong or
 * hostile bodies fail: always a 400 `OpenAIRequestError` whose `param` names the field, never a crash.
 */
import { ignoredChatFields, ignoredEmbeddingsFields, parseChatRequest, parseEmbeddingsRequest } from '../../../service/openai';
import { IGNORED_CHAT_FIELDS } from '../../../service/openai/schemas';
import { OpenAIRequestError } from '../../../service/openai/errors';

const MESSAGES = [{ role: 'user', content: 'Hi' }];

function rejection(parse: () => unknown): OpenAIRequestError {
  try {
    parse();
  } catch (error) {
    if (error instanceof OpenAIRequestError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const chatError = (body: unknown) => rejection(() => parseChatRequest(body));

describe('chat: accepted', () => {
  test('every supported field, as the openai SDK sends them', () => {
    const body = {
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: true,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
      temperature: 1,
      top_p: 0.5,
      max_tokens: 5,
      max_completion_tokens: 6,
      stop: ['a'],
      n: 1,
      seed: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      reasoning_effort: 'minimal',
      user: 'me',
      google: { cached_content: 'cachedContents/x' },
      extra_body: { google: { thinking_config: { include_thoughts: true } } },
    };
    expect(parseChatRequest(body)).toEqual(body);
  });

  test('unknown fields are dropped, not rejected, and listed by ignoredChatFields', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'high' } }], name: 'alice' },
        { role: 'assistant', content: 'x', reasoning_content: 'old thoughts', refusal: null },
      ],
      logprobs: true,
      top_logprobs: 2,
      logit_bias: { '1': 2 },
      store: true,
      metadata: { a: 'b' },
      service_tier: 'auto',
      parallel_tool_calls: false,
      user: 'u',
      something_new: 1,
      google: { thinking_config: {}, labels: { a: 'b' } },
      extra_body: { google: { response_modalities: ['TEXT'] }, other: 1 },
    };
    const parsed = parseChatRequest(body);
    expect(parsed).not.toHaveProperty('logprobs');
    expect(parsed).not.toHaveProperty('something_new');
    expect(parsed.messages[1]).toEqual({ role: 'assistant', content: 'x' });
    expect(ignoredChatFields(body)).toEqual([
      'logprobs',
      'top_logprobs',
      'logit_bias',
      'store',
      'metadata',
      'service_tier',
      'user',
      'something_new',
      'parallel_tool_calls',
      'google.labels',
      'extra_body.other',
      'extra_body.google.response_modalities',
      'messages[].name',
      'messages[].content[].image_url.detail',
    ]);
    expect(ignoredChatFields({ model: 'm', messages: MESSAGES, parallel_tool_calls: true })).toEqual([]);
  });

  test('strict, on a tool or a JSON schema, is reported: Gemini holds output to the schema as given either way', () => {
    const body = {
      model: 'm',
      messages: MESSAGES,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } }],
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' }, strict: true } },
    };
    expect(ignoredChatFields(body)).toEqual(['tools[].function.strict', 'response_format.json_schema.strict']);
  });

  test.each(IGNORED_CHAT_FIELDS.map((f) => [f]))('the documented no-op field %s is accepted and reported', (field) => {
    const body = { model: 'm', messages: MESSAGES, [field]: field === 'modalities' ? ['text'] : 'x' };
    expect(() => parseChatRequest(body)).not.toThrow();
    expect(ignoredChatFields(body)).toEqual([field]);
  });

  test('null for optional fields means unset (some clients send every field)', () => {
    const parsed = parseChatRequest({ model: 'm', messages: MESSAGES, temperature: null, tools: null, tool_choice: null, stop: null, response_format: null, stream_options: null });
    expect(parsed.temperature).toBeNull();
    expect(parsed.tools).toBeNull();
  });
});

describe('chat: rejected with param', () => {
  test.each([
    ['a non-object body', [], null, /JSON object/],
    ['a missing model', { messages: MESSAGES }, 'model', /Missing required parameter/],
    ['messages not an array', { model: 'm', messages: 'hi' }, 'messages', /expected array/],
    ['empty messages', { model: 'm', messages: [] }, 'messages', /at least one message/],
    ['an unknown role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /Unsupported role "robot".*system, developer, user, assistant, tool/],
    ['a missing role', { model: 'm', messages: [{ content: 'x' }] }, 'messages[0].role', /Missing required parameter/],
    ['the deprecated function role', { model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role', /deprecated 'function' role/],
    ['a message that is not an object', { model: 'm', messages: ['hi'] }, 'messages[0]', /must be an object/],
    ['content of the wrong type', { model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', /expected string or array/],
    ['an unknown content part type', { model: 'm', messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] }, 'messages[0].content[0].type', /Unsupported content part type "video"/],
    ['an image part without url', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages[0].content[0].image_url.url', /Missing/],
    ['an image in a system message', { model: 'm', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages[0].content[0].type', /expected "text"/],
    ['a tool message without tool_call_id', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /Missing/],
    ['a tool call with object arguments', { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }] }, 'messages[0].tool_calls[0].function.arguments', /expected string/],
    ['a non-function tool', { model: 'm', messages: MESSAGES, tools: [{ type: 'web_search' }] }, 'tools[0].type', /Only tools of type "function"/],
    ['a bad function name', { model: 'm', messages: MESSAGES, tools: [{ type: 'function', function: { name: '1 bad name' } }] }, 'tools[0].function.name', /start with a letter/],
    ['tool parameters that are not an object', { model: 'm', messages: MESSAGES, tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }, 'tools[0].function.parameters', /expected record/],
    ['an unknown tool_choice', { model: 'm', messages: MESSAGES, tool_choice: 'sometimes' }, 'tool_choice', /Invalid/],
    ['an unknown response_format', { model: 'm', messages: MESSAGES, response_format: { type: 'xml' } }, 'response_format.type', /text", "json_object" or "json_schema/],
    ['json_schema without a name', { model: 'm', messages: MESSAGES, response_format: { type: 'json_schema', json_schema: { schema: {} } } }, 'response_format.json_schema.name', /Missing/],
    ['temperature out of range', { model: 'm', messages: MESSAGES, temperature: 3 }, 'temperature', /<=2/],
    ['temperature as a string', { model: 'm', messages: MESSAGES, temperature: '0.5' }, 'temperature', /expected number/],
    ['a fractional max_tokens', { model: 'm', messages: MESSAGES, max_tokens: 1.5 }, 'max_tokens', /int/],
    ['max_completion_tokens of 0', { model: 'm', messages: MESSAGES, max_completion_tokens: 0 }, 'max_completion_tokens', />=1/],
    ['six stop sequences', { model: 'm', messages: MESSAGES, stop: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'stop', /at most 5/],
    ['n above Gemini’s limit', { model: 'm', messages: MESSAGES, n: 9 }, 'n', /at most 8/],
    ['an unknown reasoning_effort', { model: 'm', messages: MESSAGES, reasoning_effort: 'extreme' }, 'reasoning_effort', /Invalid option/],
    ['a negative thinking budget below -1', { model: 'm', messages: MESSAGES, google: { thinking_config: { thinking_budget: -5 } } }, 'google.thinking_config.thinking_budget', />=-1/],
    ['the deprecated functions field', { model: 'm', messages: MESSAGES, functions: [{ name: 'f' }] }, 'functions', /use 'tools'/],
    ['the deprecated function_call field', { model: 'm', messages: MESSAGES, function_call: 'auto' }, 'function_call', /use 'tools'/],
    ['an assistant function_call', { model: 'm', messages: [{ role: 'assistant', function_call: { name: 'f', arguments: '{}' } }] }, 'messages[0].function_call', /tool_calls/],
    ['audio output via modalities', { model: 'm', messages: MESSAGES, modalities: ['text', 'audio'] }, 'modalities', /Audio output/],
    ['audio output parameters', { model: 'm', messages: MESSAGES, audio: { voice: 'alloy', format: 'mp3' } }, 'audio', /Audio output/],
  ])('%s', (_label, body, param, message) => {
    const error = chatError(body);
    expect(error).toBeInstanceOf(OpenAIRequestError);
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  test('codes tell a missing field from a wrong one', () => {
    expect(chatError({ messages: MESSAGES }).code).toBe('missing_required_parameter');
    expect(chatError({ model: 5, messages: MESSAGES }).code).toBe('invalid_type');
    expect(chatError({ model: 'm', messages: MESSAGES, n: 20 }).code).toBe('invalid_value');
    expect(chatError({ model: 'm', messages: MESSAGES, functions: [] }).code).toBe('unsupported_parameter');
  });
});

describe('chat: hostile input', () => {
  test('huge strings are carried, not copied into errors or choked on', () => {
    const huge = 'x'.repeat(5_000_000);
    expect(parseChatRequest({ model: 'm', messages: [{ role: 'user', content: huge }] }).messages[0]).toEqual({ role: 'user', content: huge });
    const error = chatError({ model: 'm', messages: [{ role: huge, content: 'x' }] });
    expect(error.param).toBe('messages[0].role');
    expect(error.message.length).toBeLessThan(200); // the role is quoted, cut short
    const tooLongModel = chatError({ model: huge, messages: MESSAGES });
    expect(tooLongModel.param).toBe('model');
    expect(tooLongModel.message.length).toBeLessThan(200);
  });

  test('deeply nested values where the schema expects a scalar fail at the field, without recursion trouble', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(chatError({ model: 'm', messages: [{ role: 'user', content: deep }] }).param).toBe('messages[0].content');
    expect(chatError({ model: deep, messages: MESSAGES }).param).toBe('model');
  });

  test('deep JSON Schema in tool parameters is carried as-is (Gemini judges it)', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 90; i++) schema = { type: 'object', properties: { a: schema } };
    const parsed = parseChatRequest({ model: 'm', messages: MESSAGES, tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] });
    expect(parsed.tools?.[0]?.function.parameters).toEqual(schema);
  });

  test('many messages and prototype-looking keys are plain data', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `m${i}` }));
    expect(parseChatRequest({ model: 'm', messages }).messages).toHaveLength(10_000);
    const body = JSON.parse('{"model":"m","messages":[{"role":"user","content":"x"}],"__proto__":{"polluted":true}}') as unknown;
    parseChatRequest(body);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('embeddings', () => {
  test('string or string array input, dimensions, encoding_format', () => {
    expect(parseEmbeddingsRequest({ model: 'text-embedding-004', input: 'a' })).toEqual({ model: 'text-embedding-004', input: 'a' });
    expect(parseEmbeddingsRequest({ model: 'm', input: ['a', 'b'], dimensions: 256, encoding_format: 'base64', user: 'u' })).toEqual({
      model: 'm',
      input: ['a', 'b'],
      dimensions: 256,
      encoding_format: 'base64',
      user: 'u',
    });
    expect(ignoredEmbeddingsFields({ model: 'm', input: 'a', user: 'u', extra: 1 })).toEqual(['user', 'extra']);
  });

  test.each([
    ['token ids', { model: 'm', input: [1, 2, 3] }, 'input', /Token-array input is not supported/],
    ['arrays of token ids', { model: 'm', input: [[1, 2], [3]] }, 'input', /Token-array input is not supported/],
    ['an empty string', { model: 'm', input: '' }, 'input', /empty string/],
    ['an empty string in the list', { model: 'm', input: ['a', ''] }, 'input[1]', /empty strings/],
    ['an empty list', { model: 'm', input: [] }, 'input', /Invalid/],
    ['too many inputs', { model: 'm', input: Array.from({ length: 2049 }, () => 'a') }, 'input', /2048/],
    ['a missing input', { model: 'm' }, 'input', /Missing/],
    ['an unknown encoding', { model: 'm', input: 'a', encoding_format: 'int8' }, 'encoding_format', /Invalid option/],
    ['dimensions out of range', { model: 'm', input: 'a', dimensions: 0 }, 'dimensions', />=1/],
  ])('%s → 400', (_label, body, param, message) => {
    const error = rejection(() => parseEmbeddingsRequest(body));
    expect(error).toMatchObject({ status: 400, param });
    expect(error.message).toMatch(message);
  });
});
