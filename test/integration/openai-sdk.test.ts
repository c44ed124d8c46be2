/**
 * The `openai` npm SDK → gateway (`/v1beta/openai/` and `/v1/`) → emulator, changing nothing but the base
 * URL and the key: chat (unary, streamed, the SDK's stream helper), function calling, structured output,
 * images, embeddings, models, the model-name mapping, and route precedence against the Gemini surface.
 */
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MODEL = 'gemini-3.5-flash';
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const WEATHER_TOOL: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] },
  },
};

let gateway: TestGateway;
let client: OpenAI;
let v1: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway({
    GATEWAY_OPENAI_MODELS: JSON.stringify({ 'gpt-4o-mini': 'gemini-3.5-flash-lite', 'gpt-4o': 'balanced', 'text-embedding-3-small': 'gemini-embedding-001' }),
  });
  client = new OpenAI({ apiKey: 'team-key', baseURL: `${gateway.url}/v1beta/openai/` });
  v1 = new OpenAI({ apiKey: 'team-key', baseURL: `${gateway.url}/v1` });
});
afterAll(() => gateway.stop());
beforeEach(() => gateway.emulator?.resetStats());

describe('chat completions', () => {
  test('unary: text, finish reason, usage, the requested model, and the model-used header', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Why is the sky blue?' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.model).toBe(MODEL);
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]!.message.role).toBe('assistant');
    expect(data.choices[0]!.message.content).toContain('Gemini 3.5 Flash (emulated) on "Why is the sky blue?"');
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-gemini-model-used')).toBe(MODEL);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.headers.get('x-gateway-model-mapping')).toBeNull();
    // One Gemini call, through the pipeline, with the system message as systemInstruction.
    expect(gateway.emulator?.recent.map((r) => r.path)).toEqual([`/v1beta/models/${MODEL}:generateContent`]);
  });

  test('n and stop: a choice per Gemini candidate, unary and streamed alike, each cut before the stop', async () => {
    const request = { model: MODEL, messages: [{ role: 'user' as const, content: 'Count: one two three four' }], n: 3, stop: ['three'] };
    const unary = await client.chat.completions.create(request);
    expect(unary.choices.map((c) => [c.index, c.finish_reason])).toEqual([
      [0, 'stop'],
      [1, 'stop'],
      [2, 'stop'],
    ]);
    for (const choice of unary.choices) expect(choice.message.content).toMatch(/Count: one two $/);

    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) chunks.push(chunk);
    for (const choice of unary.choices) {
      const own = chunks.flatMap((chunk) => chunk.choices).filter((c) => c.index === choice.index);
      expect(own.map((c) => c.delta.content ?? '').join('')).toBe(choice.message.content);
      expect(own.at(-1)?.finish_reason).toBe('stop');
    }
  });

  test('the /v1 base URL serves the same answer', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Same either way' }];
    const a = await client.chat.completions.create({ model: MODEL, messages });
    const b = await v1.chat.completions.create({ model: MODEL, messages });
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
  });

  test('an OpenAI model name mapped to Gemini: the answer keeps the name, headers show the mapping', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Cheap please' }] }).withResponse();
    expect(data.model).toBe('gpt-4o-mini');
    expect(data.choices[0]!.message.content).toContain('Gemini 3.5 Flash-Lite (emulated)');
    expect(response.headers.get('x-gateway-model-mapping')).toBe('gpt-4o-mini -> gemini-3.5-flash-lite');
    expect(response.headers.get('x-gemini-model-used')).toBe('gemini-3.5-flash-lite');
  });

  test('a name mapped to a gateway alias, and an alias used directly, are routed by the pipeline', async () => {
    const mapped = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Balanced' }] }).withResponse();
    expect(mapped.response.headers.get('x-gateway-model-mapping')).toBe('gpt-4o -> balanced');
    expect(mapped.response.headers.get('x-gemini-model-used')).toBe('gemini-3.8-flash');
    const alias = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Fast' }] }).withResponse();
    expect(alias.data.model).toBe('fast');
    expect(alias.response.headers.get('x-gemini-model-used')).toBe('gemini-3.5-flash-lite');
  });

  test('streaming: deltas reassemble to the unary answer; include_usage adds a last usage chunk', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me a long story about gateways' }];
    const unary = await client.chat.completions.create({ model: MODEL, messages });
    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    expect(withChoices.length).toBeGreaterThan(2);
    expect(withChoices[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(withChoices.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe(unary.choices[0]!.message.content);
    expect(withChoices.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(withChoices.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id && c.model === MODEL)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(unary.usage);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(gateway.emulator?.recent.at(-1)?.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent`);
  });

  test('streaming on the wire: SSE data lines, ended by data: [DONE]; no usage chunk unless asked', async () => {
    const response = await send(`${gateway.url}/v1beta/openai/chat/completions`, {
      body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'wire format' }] }),
      headers: { authorization: 'Bearer team-key' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['x-gemini-model-used']).toBe(MODEL);
    expect(response.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = response.text.slice(0, -2).split('\n\n');
    expect(events.every((e) => e.startsWith('data: ') && !e.slice(6).includes('\n'))).toBe(true);
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as ChatCompletionChunk);
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
  });

  test('a repeated request is answered from the gateway cache, unary and streamed alike', async () => {
    const params = { model: MODEL, messages: [{ role: 'user' as const, content: 'Cache me if you can' }] };
    const first = await client.chat.completions.create(params).withResponse();
    const second = await client.chat.completions.create(params).withResponse();
    expect(first.response.headers.get('x-cache')).toBe('MISS');
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(second.data.choices).toEqual(first.data.choices);
    const read = async () => {
      const { data: stream, response } = await client.chat.completions.create({ ...params, stream: true }).withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return { text, cache: response.headers.get('x-cache') };
    };
    const live = await read();
    const replayed = await read();
    expect(replayed).toEqual({ text: live.text, cache: 'HIT' });
    expect(live.text).toBe(first.data.choices[0]!.message.content);
  });

  test('the SDK stream helper: content events and finalChatCompletion()', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Helper please' }];
    const unary = await client.chat.completions.create({ model: MODEL, messages });
    let seen = '';
    const runner = client.chat.completions.stream({ model: MODEL, messages }).on('content', (delta) => (seen += delta));
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe(unary.choices[0]!.message.content);
    expect(seen).toBe(unary.choices[0]!.message.content);
    expect(final.choices[0]!.finish_reason).toBe('stop');
  });

  test('tool-call deltas reassemble (stream helper) into exactly the unary tool_calls', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris for 3 days?' }];
    const unary = await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL] });
    const final = await client.chat.completions.stream({ model: MODEL, messages, tools: [WEATHER_TOOL] }).finalChatCompletion();
    expect(unary.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    // Ids derive from Gemini's responseId, which differs between the two calls; everything else is equal.
    const withoutId = (calls: Array<{ id: string }> | undefined) => calls?.map(({ id, ...rest }) => ({ ...rest, id: id.replace(/^call_[0-9a-f]{12}_/, 'call_*_') }));
    expect(withoutId(final.choices[0]!.message.tool_calls)).toEqual(withoutId(unary.choices[0]!.message.tool_calls));
    expect(final.choices[0]!.message.tool_calls).toHaveLength(1);
    expect(final.choices[0]!.message.tool_calls![0]!.id).toMatch(/^call_[0-9a-f]{12}_0_0$/);
  });

  test('function calling round trip: tool_calls → tool message → final answer', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL], tool_choice: 'auto' });
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    const call = message.tool_calls![0]!;
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments) as { city: unknown; days: unknown };
    expect(typeof args.city).toBe('string');
    expect(Number.isInteger(args.days)).toBe(true);

    messages.push(message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ forecast: 'sunny', celsius: 21 }) });
    const second = await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL] });
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.tool_calls).toBeUndefined();
    expect(second.choices[0]!.message.content).toBe('Using get_weather: {"forecast":"sunny","celsius":21}.');
    // The tool result went to Gemini as a functionResponse named after the call.
    const sent = gateway.emulator?.recent.at(-1);
    expect(sent?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
  });

  test('tool_choice naming a function forces that call', async () => {
    const lookup: ChatCompletionTool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };
    const response = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Find it' }],
      tools: [WEATHER_TOOL, lookup],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    const call = response.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('lookup');
  });

  test('response_format json_schema: the content is JSON matching the schema', async () => {
    const schema = {
      type: 'object',
      properties: { title: { type: 'string' }, year: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } }, rating: { type: 'string', enum: ['good', 'bad'] } },
      required: ['title', 'year', 'tags', 'rating'],
      additionalProperties: false,
    };
    const response = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Describe a film' }],
      response_format: { type: 'json_schema', json_schema: { name: 'film', schema, strict: true } },
    });
    const film = JSON.parse(response.choices[0]!.message.content!) as Record<string, unknown>;
    expect(Object.keys(film).sort()).toEqual(['rating', 'tags', 'title', 'year']);
    expect(typeof film.title).toBe('string');
    expect(Number.isInteger(film.year)).toBe(true);
    expect(Array.isArray(film.tags) && (film.tags as unknown[]).every((t) => typeof t === 'string')).toBe(true);
    expect(film.rating).toBe('good');
  });

  test('response_format json_object: the content is a JSON object', async () => {
    const response = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Answer in JSON' }], response_format: { type: 'json_object' } });
    expect(typeof JSON.parse(response.choices[0]!.message.content!)).toBe('object');
  });

  test('image input as a data URL reaches Gemini as inline data', async () => {
    const bytes = Buffer.from(PNG_1x1, 'base64').length;
    const response = await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1x1}`, detail: 'low' } },
          ],
        },
      ],
    }).withResponse();
    expect(response.data.choices[0]!.message.content).toContain(`with 1 attachment(s): image/png ${bytes} bytes`);
    // detail has no Gemini counterpart: the header says it was ignored.
    expect(response.response.headers.get('x-gateway-ignored-params')).toBe('messages[].content[].image_url.detail');
  });

  test('a remote image URL is a 400 naming the field (the gateway never downloads)', async () => {
    const error = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_image_url', param: 'messages[0].content[0].image_url.url' });
  });

  test('reasoning_effort and max_completion_tokens translate (thinking tokens count as completion tokens)', async () => {
    const response = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Think a little' }],
      reasoning_effort: 'low',
      max_completion_tokens: 4,
    });
    expect(response.choices[0]!.finish_reason).toBe('length');
    expect(response.usage!.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
  });
  test('Gemini options in extra_body (sent as a field by the JS SDK) reach Gemini: thoughts come back as reasoning_content', async () => {
    const params = { model: MODEL, messages: [{ role: 'user' as const, content: 'Think out loud' }], extra_body: { google: { thinking_config: { include_thoughts: true } } } };
    const response = await client.chat.completions.create(params);
    const message = response.choices[0]!.message as typeof response.choices[0]['message'] & { reasoning_content?: string };
    expect(message.reasoning_content).toMatch(/^Thinking about it: /);
    expect(message.content).toContain('(emulated)');
    expect(message.content).not.toContain('Thinking about it');
  });
});

describe('embeddings', () => {
  test('float: one vector per input, in order, with the requested dimensions and the mapping header', async () => {
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: ['first', 'second', 'third'], dimensions: 8, encoding_format: 'float' })
      .withResponse();
    expect(data.object).toBe('list');
    expect(data.model).toBe('text-embedding-3-small');
    expect(data.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(data.data.every((d) => d.object === 'embedding' && d.embedding.length === 8)).toBe(true);
    expect(data.data[0]!.embedding).not.toEqual(data.data[1]!.embedding);
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-gateway-model-mapping')).toBe('text-embedding-3-small -> gemini-embedding-001');
    expect(response.headers.get('x-gemini-model-used')).toBe('gemini-embedding-001');
  });

  test('base64 (the SDK default, decoded by the SDK) gives the same vectors as float, to float32 precision', async () => {
    const float = await client.embeddings.create({ model: 'gemini-embedding-001', input: 'hello world', dimensions: 16, encoding_format: 'float' });
    const decoded = await client.embeddings.create({ model: 'gemini-embedding-001', input: 'hello world', dimensions: 16 });
    const expected = float.data[0]!.embedding;
    const actual = decoded.data[0]!.embedding;
    expect(actual).toHaveLength(16);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    const raw = await client.embeddings.create({ model: 'gemini-embedding-001', input: 'hello world', dimensions: 16, encoding_format: 'base64' });
    const bytes = Buffer.from(raw.data[0]!.embedding, 'base64');
    expect(bytes.length).toBe(16 * 4);
    expect(bytes.readFloatLE(0)).toBeCloseTo(expected[0]!, 6);
  });

  test('more inputs than one Gemini batch: split into batches of 100, joined in order', async () => {
    const inputs = Array.from({ length: 150 }, (_, i) => `sentence number ${i}`);
    const all = await client.embeddings.create({ model: 'gemini-embedding-001', input: inputs, dimensions: 4, encoding_format: 'float' });
    expect(all.data).toHaveLength(150);
    const last = await client.embeddings.create({ model: 'gemini-embedding-001', input: inputs[149]!, dimensions: 4, encoding_format: 'float' });
    expect(all.data[149]!.embedding).toEqual(last.data[0]!.embedding);
    expect(gateway.emulator?.recent.filter((r) => r.path.endsWith(':batchEmbedContents')).length).toBeGreaterThanOrEqual(2);
  });
});

describe('models', () => {
  test('list: the upstream models, the gateway aliases and the mapped OpenAI names', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    const ids = models.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gemini-3.5-flash', 'gemini-3.5-flash-lite', 'gemini-embedding-001', 'fast', 'balanced', 'precise', 'gpt-4o-mini']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(models.every((m) => m.object === 'model' && Number.isInteger(m.created))).toBe(true);
    expect(models.find((m) => m.id === 'gemini-3.5-flash')?.owned_by).toBe('google');
    expect(models.find((m) => m.id === 'gpt-4o-mini')?.owned_by).toBe('gemini-gateway');
    // The shut-down model the emulator hides is not listed.
    expect(ids).not.toContain('gemini-3-pro-preview');
  });

  test('retrieve: a Gemini model, a mapped name, and an unknown model (NotFoundError)', async () => {
    expect(await client.models.retrieve('gemini-3.5-flash')).toMatchObject({ id: 'gemini-3.5-flash', object: 'model', owned_by: 'google' });
    const mapped = await client.models.retrieve('gpt-4o-mini').withResponse();
    expect(mapped.data).toMatchObject({ id: 'gpt-4o-mini', owned_by: 'gemini-gateway' });
    expect(mapped.response.headers.get('x-gateway-model-mapping')).toBe('gpt-4o-mini -> gemini-3.5-flash-lite');
    const error = await client.models.retrieve('gemini-9-ultra').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
  });
});

describe('route precedence on /v1', () => {
  test('the OpenAI SDK on /v1/models gets the OpenAI list', async () => {
    const page = await v1.models.list();
    expect(page.data.map((m) => m.id)).toContain('gemini-3.5-flash');
    expect((await v1.models.retrieve('gemini-3.5-flash')).object).toBe('model');
  });

  test('Gemini clients on /v1/models still get the Gemini list', async () => {
    const byKey = await send(`${gateway.url}/v1/models`, { headers: { 'x-goog-api-key': 'team-key' } });
    expect(byKey.json()).toMatchObject({ models: expect.arrayContaining([expect.objectContaining({ name: 'models/gemini-3.5-flash' })]) });
    const bare = await send(`${gateway.url}/v1/models/gemini-3.5-flash`);
    expect(bare.json()).toMatchObject({ name: 'models/gemini-3.5-flash', displayName: 'Gemini 3.5 Flash' });
    // A bearer token with Google's client header (an OAuth-mode Google SDK) stays Gemini too.
    const google = await send(`${gateway.url}/v1/models?pageSize=2`, { headers: { authorization: 'Bearer token', 'x-goog-api-client': 'google-genai-sdk/3.1.0' } });
    expect(google.json()).toMatchObject({ models: expect.any(Array), nextPageToken: expect.any(String) });
  });

  test('@google/genai (which uses /v1/) lists and gets models unchanged', async () => {
    const ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
    const names: string[] = [];
    for await (const model of await ai.models.list({ config: { pageSize: 50 } })) names.push(model.name ?? '');
    expect(names).toContain('models/gemini-3.5-flash');
    expect((await ai.models.get({ model: 'gemini-3.5-flash' })).name).toBe('models/gemini-3.5-flash');
  });
});
