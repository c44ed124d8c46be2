/**
 * OpenAI chat request → Gemini request: every mapping of README-translation.md, asserted as whole objects,
 * and every produced body passes the gateway's own Gemini request schema (what the pipeline validates).
 */
import { generateContentRequestSchema } from '../../../service/pipeline/validate/schemas';
import { chatToGemini, parseChatRequest, thinkingForEffort, thinkingStyleFor, type ChatToGeminiOptions } from '../../../service/openai';
import { OpenAIRequestError } from '../../../service/openai/errors';
import { functionResponseBody, int32Seed, parseDataUrl } from '../../../service/openai/to-gemini';

const PNG = 'iVBORw0KGgo=';

function translate(body: Record<string, unknown>, options?: ChatToGeminiOptions) {
  const call = chatToGemini(parseChatRequest({ model: 'gemini-2.5-flash', ...body }), options);
  const check = generateContentRequestSchema.safeParse(call.body);
  if (!check.success) throw new Error(`not a valid Gemini request: ${JSON.stringify(check.error.issues)}`);
  return call;
}

function translateError(body: Record<string, unknown>, options?: ChatToGeminiOptions): OpenAIRequestError {
  try {
    translate(body, options);
  } catch (error) {
    if (error instanceof OpenAIRequestError) return error;
    throw error;
  }
  throw new Error('expected an OpenAIRequestError');
}

const user = (content: unknown) => ({ role: 'user', content });

describe('messages', () => {
  test('a plain user message: model name kept, one user content', () => {
    expect(translate({ messages: [user('Hello')] })).toEqual({
      model: 'gemini-2.5-flash',
      body: { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] },
    });
  });

  test('models/ prefix dropped; options.model (the resolved alias) wins', () => {
    expect(translate({ model: 'models/gemini-2.5-pro', messages: [user('x')] }).model).toBe('gemini-2.5-pro');
    expect(translate({ model: 'cheap', messages: [user('x')] }, { model: 'gemini-3.5-flash-lite' }).model).toBe('gemini-3.5-flash-lite');
  });

  test('system and developer messages become one systemInstruction (role user, as @google/genai sends it)', () => {
    const { body } = translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }, { type: 'text', text: 'No emoji.' }] },
        user('Hi'),
      ],
    });
    expect(body).toEqual({
      systemInstruction: { role: 'user', parts: [{ text: 'Be brief.\n\nAnswer in French.\n\nNo emoji.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
    });
  });

  test('a system message in mid-conversation is hoisted into systemInstruction (lossy: position)', () => {
    const { body } = translate({ messages: [user('a'), { role: 'assistant', content: 'b' }, { role: 'system', content: 'Now be formal.' }, user('c')] });
    expect(body.systemInstruction).toEqual({ role: 'user', parts: [{ text: 'Now be formal.' }] });
    expect(body.contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
  });

  test('only system messages: the instructions become the user turn (Gemini needs one)', () => {
    expect(translate({ messages: [{ role: 'system', content: 'Say hello.' }] }).body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Say hello.' }] }] });
  });

  test('user/assistant alternate as user/model; consecutive same-role messages merge', () => {
    const { body } = translate({ messages: [user('one'), user('two'), { role: 'assistant', content: 'three' }, { role: 'assistant', content: 'four' }, user('five')] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'one' }, { text: 'two' }] },
      { role: 'model', parts: [{ text: 'three' }, { text: 'four' }] },
      { role: 'user', parts: [{ text: 'five' }] },
    ]);
  });

  test('assistant content as parts (text and refusal), and an empty assistant turn kept as empty text', () => {
    const { body } = translate({
      messages: [
        user('a'),
        { role: 'assistant', content: [{ type: 'text', text: 'x' }, { type: 'refusal', refusal: 'no' }] },
        user('b'),
        { role: 'assistant', content: null },
        user('c'),
      ],
    });
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ text: 'x' }, { text: 'no' }] });
    expect(body.contents[3]).toEqual({ role: 'model', parts: [{ text: '' }] });
  });

  test('per-message name is dropped (lossy: Gemini has no participant names)', () => {
    expect(translate({ messages: [{ role: 'user', content: 'hi', name: 'alice' }] }).body.contents).toEqual([{ role: 'user', parts: [{ text: 'hi' }] }]);
  });
});

describe('multimodal content', () => {
  test('data: URL images become inlineData; text parts stay separate parts', () => {
    const { body } = translate({
      messages: [
        user([
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
        ]),
      ],
    });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: PNG } }] }]);
  });

  test('data:image/jpg, an unregistered spelling browsers write, is image/jpeg', () => {
    expect(parseDataUrl('data:image/jpg;base64,/9j/4AAQ', 'p')).toEqual({ mimeType: 'image/jpeg', data: '/9j/4AAQ' });
  });

  test('a percent-encoded data: URL is re-encoded as base64', () => {
    expect(parseDataUrl('data:image/svg+xml,%3Csvg%2F%3E', 'p')).toEqual({ mimeType: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') });
  });

  test('remote image URLs are rejected with a clear 400 naming the part', () => {
    const error = translateError({ messages: [user([{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }])] });
    expect(error).toMatchObject({ status: 400, param: 'messages[0].content[1].image_url.url', code: 'invalid_image_url' });
    expect(error.message).toMatch(/data: URL/);
  });

  test('allowRemoteImages passes https URLs as fileData for Gemini to fetch (MIME type from the extension when known)', () => {
    const { body } = translate(
      { messages: [user([{ type: 'image_url', image_url: { url: 'https://example.com/cat.JPG' } }, { type: 'image_url', image_url: { url: 'https://example.com/img?id=1' } }])] },
      { allowRemoteImages: true },
    );
    expect(body.contents[0]!.parts).toEqual([
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG' } },
      { fileData: { fileUri: 'https://example.com/img?id=1' } },
    ]);
  });

  test.each([
    ['ftp://example.com/a.png', /scheme/],
    ['not a url', /data: URL or an https URL/],
    ['data:;base64,AAAA', /MIME type/],
    ['data:image/png;base64,@@@', /base64/],
    ['data:image/png;base64', /Malformed/],
  ])('bad image URL %s → 400', (url, message) => {
    const error = translateError({ messages: [user([{ type: 'image_url', image_url: { url } }])] }, { allowRemoteImages: true });
    expect(error).toMatchObject({ status: 400, param: 'messages[0].content[0].image_url.url' });
    expect(error.message).toMatch(message);
  });

  test('input_audio becomes inlineData with an audio MIME type; file parts with a data URL too', () => {
    const { body } = translate({
      messages: [
        user([
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
        ]),
      ],
    });
    expect(body.contents[0]!.parts).toEqual([
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'audio/mp3', data: 'SUQz' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });

  test('a 30 MB inline image is validated and carried whole', () => {
    // A JPEG's first bytes, then filler: the bytes must be the type they are declared as.
    const data = `/9j/${'A'.repeat(30_000_000 - 4)}`;
    const { body } = translate({ messages: [user([{ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${data}` } }])] });
    expect(body.contents[0]!.parts![0]!.inlineData!.data).toHaveLength(30_000_000);
  });

  test('uploaded file ids cannot be resolved → 400', () => {
    expect(translateError({ messages: [user([{ type: 'file', file: { file_id: 'file-abc' } }])] })).toMatchObject({
      param: 'messages[0].content[0].file.file_id',
      code: 'unsupported_value',
    });
  });
});

describe('tools and tool calls', () => {
  const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

  test('tools → functionDeclarations with parametersJsonSchema (plain JSON Schema, untouched)', () => {
    const { body } = translate({ messages: [user('x')], tools: [weather, { type: 'function', function: { name: 'now' } }] });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          { name: 'now' },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
  });

  test.each([
    ['none', { mode: 'NONE' }],
    ['auto', { mode: 'AUTO' }],
    ['required', { mode: 'ANY' }],
    [{ type: 'function', function: { name: 'get_weather' } }, { mode: 'ANY', allowedFunctionNames: ['get_weather'] }],
  ])('tool_choice %j → functionCallingConfig %j', (choice, config) => {
    expect(translate({ messages: [user('x')], tools: [weather], tool_choice: choice }).body.toolConfig).toEqual({ functionCallingConfig: config });
  });

  test('tool_choice allowed_tools: required → ANY among them; auto → only those declared, AUTO; an undeclared one → 400', () => {
    const clock = { type: 'function' as const, function: { name: 'now' } };
    const tools = [weather, clock];
    const allowed = (mode: 'auto' | 'required', name = 'now') => ({ type: 'allowed_tools', allowed_tools: { mode, tools: [{ type: 'function', function: { name } }] } });
    expect(translate({ messages: [user('x')], tools, tool_choice: allowed('required') }).body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['now'] } });
    const auto = translate({ messages: [user('x')], tools, tool_choice: allowed('auto') }).body;
    expect(auto.tools).toEqual([{ functionDeclarations: [{ name: 'now' }] }]);
    expect(auto.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(translateError({ messages: [user('x')], tools, tool_choice: allowed('auto', 'nope') })).toMatchObject({ param: 'tool_choice.allowed_tools.tools[0].function.name' });
  });

  test('tool_choice naming an undeclared function, or required without tools → 400', () => {
    expect(translateError({ messages: [user('x')], tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } })).toMatchObject({
      param: 'tool_choice.function.name',
    });
    expect(translateError({ messages: [user('x')], tool_choice: 'required' })).toMatchObject({ param: 'tool_choice' });
    expect(translate({ messages: [user('x')], tool_choice: 'auto' }).body.toolConfig).toBeUndefined();
  });

  test('assistant tool_calls → functionCall parts (args parsed); tool messages → functionResponse resolved by id, merged into one user turn', () => {
    const { body } = translate({
      tools: [weather],
      messages: [
        user('Weather in Paris and Rome?'),
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '{"tempC":18}' },
        { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: 'sunny, ' }, { type: 'text', text: '25C' }] },
        user('Thanks'),
      ],
    });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { tempC: 18 } } },
          { functionResponse: { name: 'get_weather', response: { result: 'sunny, 25C' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  test('tool results that are not a JSON object are wrapped as {"result": <text>}', () => {
    expect(functionResponseBody('{"a":1}')).toEqual({ a: 1 });
    expect(functionResponseBody('42')).toEqual({ result: '42' });
    expect(functionResponseBody('[1,2]')).toEqual({ result: '[1,2]' });
    expect(functionResponseBody('{not json')).toEqual({ result: '{not json' });
    expect(functionResponseBody('')).toEqual({ result: '' });
    const deep = '{"a":'.repeat(150) + '1' + '}'.repeat(150);
    expect(functionResponseBody(deep)).toEqual({ result: deep });
  });

  test('empty arguments mean no arguments', () => {
    const { body } = translate({
      messages: [user('x'), { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'now', arguments: '' } }] }],
    });
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'now', args: {} } }] });
  });

  test.each([
    ['truncated JSON', '{"city":', /not valid JSON/],
    ['an array', '[1,2]', /JSON object/],
    ['a string', '"Paris"', /JSON object/],
    ['120 levels deep', '{"a":'.repeat(120) + '1' + '}'.repeat(120), /nested deeper/],
  ])('invalid arguments (%s) → 400 naming the argument string', (_label, args, message) => {
    const error = translateError({ messages: [user('x'), { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }] }] });
    expect(error).toMatchObject({ status: 400, param: 'messages[1].tool_calls[0].function.arguments', code: 'invalid_tool_arguments' });
    expect(error.message).toMatch(message);
  });

  test('a tool message whose id matches no earlier call → 400', () => {
    expect(translateError({ messages: [user('x'), { role: 'tool', tool_call_id: 'call_zzz', content: 'r' }] })).toMatchObject({
      param: 'messages[1].tool_call_id',
    });
  });

  test('parallel_tool_calls is accepted and has no effect (lossy: Gemini may still call several)', () => {
    const a = translate({ messages: [user('x')], tools: [weather] });
    const b = translate({ messages: [user('x')], tools: [weather], parallel_tool_calls: false });
    expect(b).toEqual(a);
  });
});

describe('generation config', () => {
  test('sampling, limits, stop, n, seed and penalties map to generationConfig', () => {
    const { body } = translate({
      messages: [user('x')],
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 100,
      stop: 'END',
      n: 2,
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
    });
    expect(body.generationConfig).toEqual({
      temperature: 0.7,
      topP: 0.9,
      maxOutputTokens: 100,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
  });

  test('max_completion_tokens wins over max_tokens; stop arrays pass; nulls mean unset', () => {
    const { body } = translate({ messages: [user('x')], max_tokens: 10, max_completion_tokens: 20, stop: ['a', 'b'], temperature: null, n: null });
    expect(body.generationConfig).toEqual({ maxOutputTokens: 20, stopSequences: ['a', 'b'] });
  });

  test('no generation fields → no generationConfig', () => {
    expect(translate({ messages: [user('x')] }).body.generationConfig).toBeUndefined();
  });

  test('seeds beyond int32 are folded deterministically (lossy: Gemini seeds are int32)', () => {
    expect(int32Seed(42)).toBe(42);
    expect(int32Seed(-5)).toBe(-5);
    expect(int32Seed(2 ** 32 + 7)).toBe(7);
    expect(int32Seed(2 ** 31)).toBe(-(2 ** 31));
    expect(translate({ messages: [user('x')], seed: 2 ** 40 + 3 }).body.generationConfig).toEqual({ seed: 3 });
  });

  test('response_format json_object → JSON MIME type; json_schema adds responseJsonSchema; text → nothing', () => {
    expect(translate({ messages: [user('x')], response_format: { type: 'json_object' } }).body.generationConfig).toEqual({ responseMimeType: 'application/json' });
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    expect(
      translate({ messages: [user('x')], response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema } } }).body.generationConfig,
    ).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(translate({ messages: [user('x')], response_format: { type: 'text' } }).body.generationConfig).toBeUndefined();
  });
});

describe('reasoning_effort and thinking', () => {
  test('model families: 3.x and -latest aliases use levels, 2.5 budgets, older ones nothing', () => {
    expect(thinkingStyleFor('gemini-3.8-flash')).toBe('level');
    expect(thinkingStyleFor('gemini-3-flash-preview')).toBe('level');
    expect(thinkingStyleFor('gemini-3.1-pro-preview')).toBe('level');
    expect(thinkingStyleFor('gemini-flash-latest')).toBe('level');
    expect(thinkingStyleFor('gemini-2.5-flash')).toBe('budget');
    expect(thinkingStyleFor('gemini-2.5-flash-lite')).toBe('budget');
    expect(thinkingStyleFor('gemini-2.0-flash')).toBe('none');
    expect(thinkingStyleFor('tunedModels/my-model')).toBe('budget');
  });

  test.each([
    ['none', 'gemini-2.5-flash', { thinkingBudget: 0 }],
    ['minimal', 'gemini-2.5-flash', { thinkingBudget: 1 }],
    ['low', 'gemini-2.5-flash', { thinkingBudget: 1024 }],
    ['medium', 'gemini-2.5-flash', { thinkingBudget: 8192 }],
    ['high', 'gemini-2.5-flash', { thinkingBudget: 24576 }],
    ['minimal', 'gemini-2.5-flash-lite', { thinkingBudget: 512 }],
    ['minimal', 'gemini-2.5-pro', { thinkingBudget: 128 }],
    ['none', 'gemini-2.5-pro', { thinkingBudget: 128 }],
    ['none', 'gemini-3.8-flash', { thinkingLevel: 'MINIMAL' }],
    ['minimal', 'gemini-3.8-flash', { thinkingLevel: 'MINIMAL' }],
    ['low', 'gemini-3.8-flash', { thinkingLevel: 'LOW' }],
    ['medium', 'gemini-3.8-flash', { thinkingLevel: 'MEDIUM' }],
    ['high', 'gemini-3.1-pro-preview', { thinkingLevel: 'HIGH' }],
  ] as const)('%s on %s → %j', (effort, model, expected) => {
    expect(thinkingForEffort(effort, model, thinkingStyleFor(model))).toEqual(expected);
    expect(translate({ model, messages: [user('x')], reasoning_effort: effort }).body.generationConfig).toEqual({ thinkingConfig: expected });
  });

  test('reasoning_effort on a model that does not think is dropped; an alias is expressed for the model it resolves to', () => {
    expect(translate({ model: 'gemini-2.0-flash', messages: [user('x')], reasoning_effort: 'high' }).body.generationConfig).toBeUndefined();
    expect(translate({ model: 'my-alias', messages: [user('x')], reasoning_effort: 'low' }, { thinkingModel: 'gemini-3.8-flash' }).body.generationConfig).toEqual({
      thinkingConfig: { thinkingLevel: 'LOW' },
    });
    // 2.5 Pro cannot stop thinking, and Flash-Lite's lowest budget is 512, whatever the alias is called.
    expect(translate({ model: 'deep', messages: [user('x')], reasoning_effort: 'none' }, { thinkingModel: 'gemini-2.5-pro' }).body.generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 128 },
    });
    expect(translate({ model: 'cheap', messages: [user('x')], reasoning_effort: 'minimal' }, { thinkingModel: 'gemini-2.5-flash-lite' }).body.generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 512 },
    });
  });

  test('extra_body.google.thinking_config passes through in camelCase (level upper-cased)', () => {
    expect(
      translate({ messages: [user('x')], extra_body: { google: { thinking_config: { thinking_budget: 2048, include_thoughts: true } } } }).body.generationConfig,
    ).toEqual({ thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } });
    expect(
      translate({ model: 'gemini-3.8-flash', messages: [user('x')], google: { thinking_config: { thinking_level: 'low' } } }).body.generationConfig,
    ).toEqual({ thinkingConfig: { thinkingLevel: 'LOW' } });
  });

  test('reasoning_effort combines with include_thoughts, but not with a budget or level', () => {
    expect(
      translate({ messages: [user('x')], reasoning_effort: 'low', google: { thinking_config: { include_thoughts: true } } }).body.generationConfig,
    ).toEqual({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
    expect(translateError({ messages: [user('x')], reasoning_effort: 'low', google: { thinking_config: { thinking_budget: 5 } } })).toMatchObject({
      param: 'reasoning_effort',
    });
    expect(translateError({ messages: [user('x')], extra_body: { google: { thinking_config: { thinking_budget: 5, thinking_level: 'low' } } } })).toMatchObject({
      param: 'extra_body.google.thinking_config',
    });
  });
});

describe('Gemini extras (extra_body.google, or flattened as google by the openai SDK)', () => {
  test('cached_content and safety_settings pass through in camelCase', () => {
    const { body } = translate({
      messages: [user('x')],
      extra_body: {
        google: {
          cached_content: 'cachedContents/abc',
          safety_settings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
        },
      },
    });
    expect(body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      cachedContent: 'cachedContents/abc',
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
    });
  });

  test('the flattened form (top-level google) is the same; extra_body.google wins per key when both are sent', () => {
    const flat = translate({ messages: [user('x')], google: { cached_content: 'cachedContents/a' } });
    expect(flat.body.cachedContent).toBe('cachedContents/a');
    const both = translate({ messages: [user('x')], google: { cached_content: 'cachedContents/a' }, extra_body: { google: { cached_content: 'cachedContents/b' } } });
    expect(both.body.cachedContent).toBe('cachedContents/b');
  });
});

test('a full request, as one object', () => {
  expect(
    translate({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'system', content: 'Be brief.' }, user('Hi')],
      temperature: 0.2,
      max_completion_tokens: 256,
      reasoning_effort: 'medium',
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      user: 'u-1',
      logprobs: true,
      logit_bias: { '50256': -100 },
      stream: true,
      stream_options: { include_usage: true },
    }),
  ).toEqual({
    model: 'gemini-2.5-flash',
    body: {
      systemInstruction: { role: 'user', parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object' } }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      generationConfig: { temperature: 0.2, maxOutputTokens: 256, responseMimeType: 'application/json', thinkingConfig: { thinkingBudget: 8192 } },
    },
  });
});
