/**
 * A deterministic corpus of malformed and hostile Gemini requests. Request `i` is built from its own
 * seeded PRNG (`seededRandom(seed, i)`), so any one of them can be rebuilt from its index alone, whatever
 * order a concurrent run sent them in.
 *
 * Every request is wrong in a way the gateway must refuse with a 4xx, and says which statuses are right
 * for it: wrong types at every typed field of the request schemas, missing required fields, deep nesting,
 * huge strings and headers, bad base64, declared MIME types the bytes contradict, disallowed MIME types,
 * inline data over the limits, too many parts, junk (unicode, percent-encoded, raw latin-1, traversal) in
 * paths and model ids, unknown methods, wrong HTTP methods, wrong content types and encodings, truncated
 * and otherwise invalid JSON, bodies that are not objects, fileData URIs of schemes no backend accepts,
 * prototype-pollution keys around a body that is only valid if the pollution worked, and junk credentials.
 * Requests that would be valid but for one flaw are built from a valid base, so the flaw is what is tested.
 */
import { seededRandom } from '../../../service/emulator/answers';

export interface HostileRequest {
  index: number;
  category: string;
  method: string;
  /** Sent exactly as given (no URL normalisation). */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Statuses that are right for this request (all 4xx). */
  expect: readonly number[];
  /** HEAD: the answer has no body to check. */
  bodyless?: boolean;
}

export interface CorpusLimits {
  /** The team key every request carries, except those testing credentials. */
  key: string;
  maxBodyBytes: number;
  maxInlineBytes: number;
  maxPdfBytes: number;
  maxParts: number;
}

type Random = () => number;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

const GENERATE_MODELS = ['gemini-3.5-flash-lite', 'gemini-3.8-flash', 'gemini-3.1-pro-preview', 'gemini-2.5-flash', 'fast', 'balanced'];
const EMBED_MODEL = 'gemini-embedding-001';
const BAD_REQUEST = [400] as const;

/** The first bytes of real files, base64: what each sniffable type must start with, and some impostors. */
const SIGNED_DATA: Record<string, string> = {
  'image/png': 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk',
  'image/jpeg': '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQN',
  'image/gif': 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'image/webp': 'UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuU',
  'application/pdf': 'JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmls',
};
const IMPOSTORS: Record<string, string> = {
  zip: 'UEsDBBQAAAAIAAAAIQAAAAAAAAAAAAAAAAAAAAAA',
  elf: 'f0VMRgIBAQAAAAAAAAAAAAIAPgABAAAAAAAAAAAA',
  exe: 'TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAA',
  html: 'PGh0bWw+PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0PjwvaHRtbD4=',
  svg: 'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmci',
};
const ALLOWED_SAMPLE = ['image/png', 'image/jpeg', 'image/webp', 'audio/mp3', 'video/mp4', 'application/pdf', 'text/plain', 'audio/wav'];
const DISALLOWED_MIME = ['application/x-msdownload', 'image/svg+xml', 'application/zip', 'text/x-shellscript', 'application/octet-stream', 'application/x-sh', 'image/png\u0000', 'image/', '/', 'x', 'image/png/../pdf', 'application/pdf\r\nx: y', '🖼️/png', 'IMAGE/SVG+XML', 'video/x-ms-asf', 'application/java-archive'];

/** A valid generateContent body with every typed field present, so any of them can be made wrong. */
function fullBody(random: Random): Record<string, Json> {
  return {
    contents: [
      {
        role: 'user',
        parts: [
          { text: `hello ${between(random, 0, 1e6)}`, thought: false, thoughtSignature: 'c2ln' },
          { inlineData: { mimeType: 'image/png', data: SIGNED_DATA['image/png']! } },
          { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a.png' } },
          { functionCall: { name: 'lookup', args: { q: 'x' } } },
          { functionResponse: { name: 'lookup', response: { ok: true } } },
        ],
      },
    ],
    systemInstruction: { role: 'system', parts: [{ text: 'be brief' }] },
    tools: [{ functionDeclarations: [{ name: 'lookup', description: 'd', parameters: { type: 'object' } }] }],
    toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    generationConfig: {
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      candidateCount: 1,
      maxOutputTokens: 64,
      stopSequences: ['END'],
      seed: 7,
      responseMimeType: 'text/plain',
      responseSchema: { type: 'object' },
      responseModalities: ['TEXT'],
      thinkingConfig: { thinkingBudget: 0, includeThoughts: false, thinkingLevel: 'low' },
    },
    safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    cachedContent: 'cachedContents/abc123',
  };
}

/** A small valid body: what a flaw elsewhere (path, header, method) is added to. */
function smallBody(random: Random): Record<string, Json> {
  return { contents: [{ role: 'user', parts: [{ text: `valid ${between(random, 0, 1e9)}` }] }], generationConfig: { maxOutputTokens: 16 } };
}

type Kind = 'string' | 'nonEmptyString' | 'number' | 'int' | 'intMin1' | 'bool' | 'object' | 'array' | 'nonEmptyArray';
type Path = ReadonlyArray<string | number>;

/** Every typed field of the generateContent schema, with what it accepts. */
const GENERATE_FIELDS: ReadonlyArray<[Path, Kind]> = [
  [['contents'], 'nonEmptyArray'],
  [['contents', 0], 'object'],
  [['contents', 0, 'role'], 'string'],
  [['contents', 0, 'parts'], 'array'],
  [['contents', 0, 'parts', 0], 'object'],
  [['contents', 0, 'parts', 0, 'text'], 'string'],
  [['contents', 0, 'parts', 0, 'thought'], 'bool'],
  [['contents', 0, 'parts', 0, 'thoughtSignature'], 'string'],
  [['contents', 0, 'parts', 1, 'inlineData'], 'object'],
  [['contents', 0, 'parts', 1, 'inlineData', 'mimeType'], 'nonEmptyString'],
  [['contents', 0, 'parts', 1, 'inlineData', 'data'], 'string'],
  [['contents', 0, 'parts', 2, 'fileData'], 'object'],
  [['contents', 0, 'parts', 2, 'fileData', 'mimeType'], 'string'],
  [['contents', 0, 'parts', 2, 'fileData', 'fileUri'], 'nonEmptyString'],
  [['contents', 0, 'parts', 3, 'functionCall'], 'object'],
  [['contents', 0, 'parts', 3, 'functionCall', 'name'], 'string'],
  [['contents', 0, 'parts', 3, 'functionCall', 'args'], 'object'],
  [['contents', 0, 'parts', 4, 'functionResponse'], 'object'],
  [['contents', 0, 'parts', 4, 'functionResponse', 'name'], 'string'],
  [['contents', 0, 'parts', 4, 'functionResponse', 'response'], 'object'],
  [['systemInstruction'], 'object'],
  [['systemInstruction', 'role'], 'string'],
  [['systemInstruction', 'parts'], 'array'],
  [['systemInstruction', 'parts', 0, 'text'], 'string'],
  [['tools'], 'array'],
  [['tools', 0], 'object'],
  [['tools', 0, 'functionDeclarations'], 'array'],
  [['tools', 0, 'functionDeclarations', 0], 'object'],
  [['tools', 0, 'functionDeclarations', 0, 'name'], 'string'],
  [['toolConfig'], 'object'],
  [['generationConfig'], 'object'],
  [['generationConfig', 'temperature'], 'number'],
  [['generationConfig', 'topP'], 'number'],
  [['generationConfig', 'topK'], 'number'],
  [['generationConfig', 'candidateCount'], 'int'],
  [['generationConfig', 'maxOutputTokens'], 'intMin1'],
  [['generationConfig', 'stopSequences'], 'array'],
  [['generationConfig', 'stopSequences', 0], 'string'],
  [['generationConfig', 'seed'], 'int'],
  [['generationConfig', 'responseMimeType'], 'string'],
  [['generationConfig', 'responseSchema'], 'object'],
  [['generationConfig', 'responseModalities'], 'array'],
  [['generationConfig', 'responseModalities', 0], 'string'],
  [['generationConfig', 'thinkingConfig'], 'object'],
  [['generationConfig', 'thinkingConfig', 'thinkingBudget'], 'int'],
  [['generationConfig', 'thinkingConfig', 'includeThoughts'], 'bool'],
  [['generationConfig', 'thinkingConfig', 'thinkingLevel'], 'string'],
  [['safetySettings'], 'array'],
  [['safetySettings', 0], 'object'],
  [['safetySettings', 0, 'category'], 'string'],
  [['safetySettings', 0, 'threshold'], 'string'],
  [['cachedContent'], 'string'],
];

const EMBED_FIELDS: ReadonlyArray<[Path, Kind]> = [
  [['content'], 'object'],
  [['content', 'parts'], 'array'],
  [['content', 'parts', 0, 'text'], 'string'],
  [['taskType'], 'string'],
  [['title'], 'string'],
  [['outputDimensionality'], 'intMin1'],
];

/** Values of every JSON type, some of them nasty; each field is given one it does not accept. */
const SAMPLE_VALUES: readonly Json[] = [
  null, true, false, 0, -1, 1.5, -0.25, 42, 2 ** 53 + 2, 1e300, '', 'x', '42', 'true', 'null', '\u0000', '𝕳𝖊𝖑𝖑𝖔', '\ud800',
  [], [1], ['a'], [null], [[]], {}, { a: 1 }, { '': '' }, { __proto__x: 1 },
];

/**
 * Where the gateway reads a body as Google reads proto3 JSON (`protocol/proto3-json.ts`): the messages in
 * which `null` is the field left out, the fields that cannot be left out, and the numeric fields that take
 * a number in a string. Spelled out here again, from the proto3 JSON rules, as the oracle the gateway is
 * held to.
 */
const LENIENT_MESSAGES = new Set([
  '',
  'contents',
  'contents.parts',
  'contents.parts.inlineData',
  'contents.parts.fileData',
  'contents.parts.functionCall',
  'contents.parts.functionResponse',
  'systemInstruction',
  'systemInstruction.parts',
  'generationConfig',
  'generationConfig.thinkingConfig',
  'tools',
  'tools.functionDeclarations',
  'safetySettings',
  'content',
  'content.parts',
]);
const REQUIRED_FIELDS = new Set(['contents', 'content', 'contents.parts.inlineData.mimeType', 'contents.parts.inlineData.data', 'contents.parts.fileData.fileUri', 'tools.functionDeclarations.name']);
const NUMERIC_FIELDS = new Set(['generationConfig.temperature', 'generationConfig.topP', 'generationConfig.topK', 'generationConfig.candidateCount', 'generationConfig.maxOutputTokens', 'generationConfig.seed', 'generationConfig.thinkingConfig.thinkingBudget', 'outputDimensionality']);

/** Whether the field at `path` takes `value`, as proto3 JSON reads it there. */
function acceptsAt(path: Path, kind: Kind, value: Json): boolean {
  const last = path[path.length - 1];
  const names = path.filter((key) => typeof key === 'string').join('.');
  const parent = names.split('.').slice(0, -1).join('.');
  if (value === null && typeof last === 'string' && LENIENT_MESSAGES.has(parent)) return !REQUIRED_FIELDS.has(names);
  if (typeof value === 'string' && NUMERIC_FIELDS.has(names) && /^-?\d+(?:\.\d*)?$/.test(value)) return accepts(kind, Number(value));
  return accepts(kind, value);
}

function accepts(kind: Kind, value: Json): boolean {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'nonEmptyString':
      return typeof value === 'string' && value.length > 0;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'intMin1':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
    case 'bool':
      return typeof value === 'boolean';
    case 'object':
      return isObject;
    case 'array':
      return Array.isArray(value);
    case 'nonEmptyArray':
      return Array.isArray(value) && value.length > 0;
  }
}

function setAt(root: Record<string, Json>, path: Path, value: Json | undefined): void {
  let node = root as Json;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key]!;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete (node as Record<string, Json>)[last];
  } else (node as Record<string | number, Json>)[last] = value;
}

export function corpusRequest(seed: number, index: number, limits: CorpusLimits): HostileRequest {
  const random = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const generator = pick(random, WEIGHTED);
  return { index, ...generator(random, limits) };
}

type Draft = Omit<HostileRequest, 'index'>;
type Generator = (random: Random, limits: CorpusLimits) => Draft;

const json = (key: string, extra: Record<string, string> = {}): Record<string, string> => ({ 'content-type': 'application/json', 'x-goog-api-key': key, ...extra });

function callPath(random: Random, method = pick(random, ['generateContent', 'generateContent', 'streamGenerateContent'])): string {
  const model = pick(random, GENERATE_MODELS);
  const version = pick(random, ['v1beta', 'v1', 'v1alpha']);
  return `/${version}/models/${model}:${method}${method === 'streamGenerateContent' && random() < 0.5 ? '?alt=sse' : ''}`;
}

function post(category: string, random: Random, limits: CorpusLimits, body: string | Buffer, expect: readonly number[] = BAD_REQUEST, path = callPath(random)): Draft {
  return { category, method: 'POST', path, headers: json(limits.key), body, expect };
}

const wrongType: Generator = (random, limits) => {
  const embed = random() < 0.15;
  const [path, kind] = pick(random, embed ? EMBED_FIELDS : GENERATE_FIELDS);
  const body: Record<string, Json> = embed ? { content: { role: 'user', parts: [{ text: 'embed me' }] }, taskType: 'RETRIEVAL_QUERY', title: 't', outputDimensionality: 8 } : fullBody(random);
  const candidates = SAMPLE_VALUES.filter((v) => !acceptsAt(path, kind, v));
  setAt(body, path, pick(random, candidates));
  const target = embed ? `/v1beta/models/${EMBED_MODEL}:embedContent` : callPath(random);
  return post(`wrong-type ${path.join('.')}`, random, limits, JSON.stringify(body), BAD_REQUEST, target);
};

const missingRequired: Generator = (random, limits) => {
  const cases: Array<[string, string, Json]> = [
    ['generateContent', 'gemini-3.5-flash-lite', { generationConfig: { maxOutputTokens: 5 } }],
    ['streamGenerateContent', 'gemini-3.5-flash-lite', { contents: [] }],
    ['embedContent', EMBED_MODEL, { taskType: 'RETRIEVAL_QUERY' }],
    ['batchEmbedContents', EMBED_MODEL, { requests: [] }],
    ['batchEmbedContents', EMBED_MODEL, { requests: [{ model: 'models/gemini-embedding-001' }] }],
    ['predict', 'imagen-4.0-generate-001', { instances: [] }],
    ['predict', 'imagen-4.0-generate-001', { parameters: {} }],
    ['computeTokens', 'gemini-3.5-flash-lite', { contents: 'text' }],
    ['countTokens', 'gemini-3.5-flash-lite', { contents: { parts: [] } }],
    ['countTokens', 'gemini-3.5-flash-lite', { generateContentRequest: 5 }],
  ];
  const [method, model, body] = pick(random, cases);
  return post(`missing/invalid required field (${method})`, random, limits, JSON.stringify(body), BAD_REQUEST, `/v1beta/models/${model}:${method}`);
};

const deepNesting: Generator = (random, limits) => {
  const depth = random() < 0.9 ? between(random, 101, 20_000) : between(random, 100_000, 300_000);
  const style = pick(random, ['object', 'array', 'mixed']);
  const open = style === 'object' ? '{"a":' : style === 'array' ? '[' : '{"a":[';
  const close = style === 'object' ? '}' : style === 'array' ? ']' : ']}';
  const nested = open.repeat(depth) + '1' + close.repeat(depth);
  const where = pick(random, [
    (n: string) => `{"contents":[{"parts":[{"functionResponse":{"name":"f","response":{"x":${n}}}}]}]}`,
    (n: string) => `{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"responseSchema":{"x":${n}}}}`,
    (n: string) => `{"contents":${n}}`,
    (n: string) => `{"contents":[{"parts":[{"text":"hi"}]}],"unknownExtension":${n}}`,
    (n: string) => n,
  ]);
  // The deepest ones are also over the body limit: refused before they are parsed.
  const body = where(nested);
  return post('deep-nesting', random, limits, body, Buffer.byteLength(body) > limits.maxBodyBytes ? [413] : BAD_REQUEST);
};

/** About `bytes` bytes of text (UTF-8), in characters JSON carries without escaping. */
function bigString(random: Random, bytes: number): string {
  const unit = pick(random, ['A', 'é', '𝕏', ' ', 'ab']);
  return unit.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(unit))));
}

const hugeString: Generator = (random, limits) => {
  const size = between(random, 64 * 1024, limits.maxBodyBytes - 64 * 1024);
  const choice = between(random, 0, 4);
  const huge = bigString(random, size);
  switch (choice) {
    case 0: // a huge prompt, and a wrong type elsewhere
      return post('huge-string text + wrong type', random, limits, JSON.stringify({ contents: [{ role: 7, parts: [{ text: huge }] }] }));
    case 1: // a huge unknown field in an otherwise invalid body
      return post('huge-string unknown field', random, limits, JSON.stringify({ blob: huge, contents: 'no' }));
    case 2: // a huge MIME type
      return post('huge-string mimeType', random, limits, JSON.stringify({ contents: [{ parts: [{ inlineData: { mimeType: huge.slice(0, 256 * 1024), data: 'AAAA' } }] }] }));
    case 3: // a huge model id in the path: 404 while the request line fits, 431 when it does not
      return post('huge-string model id', random, limits, JSON.stringify(smallBody(random)), [404, 431, 414], `/v1beta/models/${'m'.repeat(between(random, 200, 30_000))}:generateContent`);
    default: // a huge header
      return { category: 'huge header', method: 'POST', path: callPath(random), headers: json(limits.key, { 'x-junk': 'h'.repeat(between(random, 17_000, 80_000)) }), body: JSON.stringify(smallBody(random)), expect: [431] };
  }
};

const oversizedBody: Generator = (random, limits) => {
  const extra = between(random, 1, 1024 * 1024);
  const text = 'z'.repeat(limits.maxBodyBytes + extra);
  return post('oversized body', random, limits, JSON.stringify({ contents: [{ parts: [{ text }] }] }), [413]);
};

const BASE64_JUNK = ['!', '$', '%', ' ', '\n', '*', '==a', '===', 'é', '\u0000', '😀', '.', ',', '\\', '~', '=A=', '\t'];

const badBase64: Generator = (random, limits) => {
  const mimeType = pick(random, ALLOWED_SAMPLE);
  const prefix = SIGNED_DATA[mimeType] ?? 'QUJDRA';
  const position = between(random, 0, prefix.length);
  const data = prefix.slice(0, position) + pick(random, BASE64_JUNK) + prefix.slice(position) + (random() < 0.5 ? '' : 'QUJD');
  const body = smallBody(random);
  (body.contents as Array<{ parts: Json[] }>)[0]!.parts.push({ inlineData: { mimeType, data } });
  return post('bad base64', random, limits, JSON.stringify(body));
};

const lyingMime: Generator = (random, limits) => {
  const body = smallBody(random);
  const parts = (body.contents as Array<{ parts: Json[] }>)[0]!.parts;
  if (random() < 0.6) {
    const declared = pick(random, Object.keys(SIGNED_DATA));
    const actual = pick(random, [...Object.keys(SIGNED_DATA).filter((t) => t !== declared).map((t) => SIGNED_DATA[t]!), ...Object.values(IMPOSTORS)]);
    parts.push({ inlineData: { mimeType: random() < 0.3 ? declared.toUpperCase() : declared, data: actual } });
    return post('lying MIME type', random, limits, JSON.stringify(body));
  }
  parts.push({ inlineData: { mimeType: pick(random, DISALLOWED_MIME), data: pick(random, Object.values(IMPOSTORS)) } });
  return post('disallowed MIME type', random, limits, JSON.stringify(body));
};

/** Base64 of `bytes` decoded bytes, starting with the given signature. */
function payload(signature: string, bytes: number): string {
  const length = Math.ceil((bytes * 4) / 3 / 4) * 4;
  return signature + 'A'.repeat(Math.max(0, length - signature.length));
}

const oversizedParts: Generator = (random, limits) => {
  const body = smallBody(random);
  const parts = (body.contents as Array<{ parts: Json[] }>)[0]!.parts;
  const choice = between(random, 0, 2);
  if (choice === 0) {
    parts.push({ inlineData: { mimeType: 'image/png', data: payload(SIGNED_DATA['image/png']!, limits.maxInlineBytes + between(random, 16, 256 * 1024)) } });
  } else if (choice === 1) {
    // Each part under the limit, together over it.
    const each = Math.ceil(limits.maxInlineBytes / 3) + 64;
    for (let i = 0; i < 3 + between(random, 0, 3); i++) parts.push({ inlineData: { mimeType: 'audio/wav', data: payload('UklGR', each) } });
  } else {
    parts.push({ inlineData: { mimeType: 'application/pdf', data: payload(SIGNED_DATA['application/pdf']!, limits.maxPdfBytes + between(random, 16, 64 * 1024)) } });
  }
  return post('oversized inline data', random, limits, JSON.stringify(body));
};

const tooManyParts: Generator = (random, limits) => {
  const total = limits.maxParts + between(random, 1, limits.maxParts * 20);
  const turns = random() < 0.5 ? 1 : between(random, 2, 20);
  const contents: Json[] = [];
  for (let t = 0; t < turns; t++) {
    const count = t === turns - 1 ? total - Math.floor(total / turns) * (turns - 1) : Math.floor(total / turns);
    contents.push({ role: t % 2 === 0 ? 'user' : 'model', parts: Array.from({ length: count }, () => ({ text: 'p' })) });
  }
  const body: Record<string, Json> = random() < 0.2 ? { contents: [{ parts: [{ text: 'x' }] }], systemInstruction: { parts: Array.from({ length: total }, () => ({ text: 's' })) } } : { contents };
  return post('too many parts', random, limits, JSON.stringify(body));
};

/** Model ids no resource id pattern accepts: each has a character or sequence Google never issues. */
function junkModelId(random: Random): string {
  const base = pick(random, ['gemini-3.5-flash', 'gemini-3.8-flash', 'fast', 'x']);
  const junk = pick(random, [
    '%00', '%2F', '%2e%2e', '%2F..%2F..%2Fetc%2Fpasswd', '%F0%9F%92%A5', '%E2%80%AE', '%C0%AE%C0%AE', '%ZZ', '%', '..', '\u00e9', '\u00ff\u00fe',
    '%20', '%0d%0aSet-Cookie:x=1', '$', '!', '*', '~', '%7B%7D', "'", '(', '%3Cscript%3E', '%u2215', '\u00a0',
  ]);
  const at = between(random, 0, base.length);
  return random() < 0.5 ? base.slice(0, at) + junk + base.slice(at) : junk + base;
}

const badPath: Generator = (random, limits) => {
  const body = JSON.stringify(smallBody(random));
  const method = pick(random, ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent']);
  const choice = between(random, 0, 6);
  const id = junkModelId(random);
  let path: string;
  let expect: readonly number[] = [404];
  switch (choice) {
    case 0:
      path = `/v1beta/models/${id}:${method}`;
      break;
    case 1:
      path = `/v1/projects/${id}/locations/us-central1/publishers/google/models/gemini-3.5-flash:${method}`;
      break;
    case 2:
      path = `/v1/projects/p/locations/${id}/publishers/google/models/gemini-3.5-flash:${method}`;
      break;
    case 3:
      path = `/v1beta/tunedModels/${id}:${method}`;
      break;
    case 4:
      path = `/${pick(random, ['v2', 'v1beta2', 'V1BETA', 'v0', '%76%31', 'v1beta%00', '..', 'api', ''])}/models/gemini-3.5-flash:${method}`;
      break;
    case 5:
      path = `/v1beta/${pick(random, ['modelz', 'Models', 'publishers/evil/models', 'models/gemini-3.5-flash/extra', 'models/../models', '%6Dodels', 'projects/p', 'endpoints'])}/gemini-3.5-flash:${method}`;
      break;
    default:
      // Syntactically valid ids of models that do not exist: the upstream's 404, relayed.
      path = `/v1beta/models/${pick(random, ['gemini-9-ultra', 'gpt-4o', 'claude-3', 'gemini-3.5-flash-lite-x', 'a', 'gemini-0'])}:generateContent`;
      expect = [404];
  }
  // Raw bytes outside ASCII may be refused by the HTTP parser itself (400) before any route sees them.
  if (/[^\x21-\x7e]/.test(path)) expect = [400, 404];
  return post('bad path or model id', random, limits, body, expect, path);
};

const unknownMethod: Generator = (random, limits) => {
  const method = pick(random, ['explode', 'generateContent2', 'GENERATECONTENT', '', 'generateContent:x', 'streamGenerateContent%00', 'batchGenerateContent', 'predictLongRunning', 'generate%43ontent', 'generateContent%3Aalt', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf']);
  return post('unknown method', random, limits, JSON.stringify(smallBody(random)), [404], `/v1beta/models/${pick(random, GENERATE_MODELS)}:${method}`);
};

const wrongHttpMethod: Generator = (random, limits) => {
  const choice = between(random, 0, 3);
  if (choice === 0) {
    const method = pick(random, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
    const withBody = method !== 'GET' && method !== 'OPTIONS';
    return { category: `wrong HTTP method ${method}`, method, path: callPath(random), headers: json(limits.key), body: withBody ? JSON.stringify(smallBody(random)) : undefined, expect: [405] };
  }
  if (choice === 1) {
    const method = pick(random, ['POST', 'PUT', 'DELETE', 'PATCH']);
    return { category: `wrong HTTP method ${method} on models`, method, path: pick(random, ['/v1beta/models', '/v1beta/models/gemini-3.5-flash']), headers: json(limits.key), body: JSON.stringify(smallBody(random)), expect: [405] };
  }
  if (choice === 2) {
    return { category: 'wrong HTTP method HEAD', method: 'HEAD', path: callPath(random), headers: json(limits.key), expect: [405], bodyless: true };
  }
  // Methods Node's HTTP parser knows but nobody routes, and one it does not know at all.
  const method = pick(random, ['PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH', 'BREW', 'FOO']);
  return { category: `unusual HTTP method ${method}`, method, path: callPath(random), headers: json(limits.key), body: JSON.stringify(smallBody(random)), expect: [400, 404, 405] };
};

const wrongContentType: Generator = (random, limits) => {
  const body = JSON.stringify(smallBody(random));
  if (random() < 0.25) {
    // A declared encoding the body does not have, or one nobody supports.
    const encoding = pick(random, ['gzip', 'deflate', 'br', 'x-evil', 'compress', 'zstd', 'gzip, gzip']);
    return { category: `content-encoding ${encoding}`, method: 'POST', path: callPath(random), headers: json(limits.key, { 'content-encoding': encoding }), body, expect: [400, 415] };
  }
  const type = pick(random, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/jsonx', 'image/png', 'application/octet-stream', 'json', '*/*', 'application/', ';', 'text/html; charset=utf-8', 'application/javascript', 'APPLICATION/XML', 'application/x-json-stream']);
  return { category: 'wrong content type', method: 'POST', path: callPath(random), headers: { 'content-type': type, 'x-goog-api-key': limits.key }, body, expect: [415] };
};

const invalidJson: Generator = (random, limits) => {
  const valid = JSON.stringify(fullBody(random));
  const choice = between(random, 0, 5);
  let body: string;
  if (choice <= 2) body = valid.slice(0, between(random, 0, valid.length - 1));
  else if (choice === 3) body = valid + pick(random, ['x', '}', ',', ' {}', '\u0000', '//c', ']']);
  else if (choice === 4) body = pick(random, ['\ufeff' + valid, valid.replace(/"/g, "'"), valid.replace('"temperature":0.5', '"temperature":NaN'), valid.replace('"maxOutputTokens":64', '"maxOutputTokens":0x40'), valid.replace('"ok":true', '"ok":True'), valid.replace(':', '::'), `/* c */${valid}`]);
  else body = valid.replace(/"hello/, '"he\u0001llo').replace('"be brief"', '"be\nbrief"');
  return post('invalid JSON', random, limits, body);
};

const nonObject: Generator = (random, limits) => {
  const body = pick(random, ['[]', '"x"', '42', 'null', 'true', '[{"contents":[{"parts":[{"text":"hi"}]}]}]', '""', ' ', '', '\n\n', '-0', '1e999', '"{\\"contents\\":[]}"']);
  return post('non-object body', random, limits, body);
};

const badFileUri: Generator = (random, limits) => {
  const uri = pick(random, [
    'file:///etc/passwd', 'http://example.com/a.png', 'ftp://example.com/a', 'data:image/png;base64,iVBORw0KGgo=', 'javascript:alert(1)', 'files/../secret', 'files/',
    'FILES/abc', '/etc/passwd', ' https://example.com/a', 'gopher://x', 'HTTPS://example.com/a', 'files/abc?x=1', 'files/abc/def', '\\\\server\\share\\a.png',
    'http://169.254.169.254/latest/meta-data/', 'http://localhost:6379/', 'files/a b', 'files/é', 'ws://x', 'mailto:a@b', 'c:\\windows\\system32', '..', '%2Ffiles%2Fx',
  ]);
  const body = smallBody(random);
  (body.contents as Array<{ parts: Json[] }>)[0]!.parts.push({ fileData: { mimeType: pick(random, ['image/png', 'application/pdf', 'video/mp4']), fileUri: uri } });
  return post('invalid fileData URI', random, limits, JSON.stringify(body));
};

/** Pollution keys around bodies that are valid only if the pollution reached a prototype. */
const prototypePollution: Generator = (random, limits) => {
  const valid = '[{"role":"user","parts":[{"text":"polluted"}]}]';
  const key = pick(random, ['__proto__', 'constructor', 'prototype']);
  const wrap = (inner: string): string => (key === 'constructor' ? `{"prototype":${inner}}` : inner);
  const body = pick(random, [
    `{"${key}":${wrap(`{"contents":${valid}}`)}}`,
    `{"${key}":${wrap(`{"contents":${valid}}`)},"generationConfig":{"maxOutputTokens":4}}`,
    `{"contents":[{"parts":[{"${key}":${wrap('{"text":"x"}')},"text":5}]}]}`,
    `{"contents":${valid},"generationConfig":{"${key}":${wrap('{"maxOutputTokens":8}')},"maxOutputTokens":"many"}}`,
    `{"__proto__":{"contents":${valid}},"constructor":{"prototype":{"contents":${valid}}},"contents":{"__proto__":[]}}`,
    `{"contents":[{"__proto__":{"parts":[{"text":"x"}]},"parts":"none"}]}`,
    `{"contents":${valid},"tools":[{"${key}":${wrap('{"functionDeclarations":[]}')},"functionDeclarations":[{"__proto__":{"name":"f"}}]}]}`,
  ]);
  return post(`prototype pollution (${key})`, random, limits, body);
};

const badCredentials: Generator = (random, limits) => {
  const body = JSON.stringify(smallBody(random));
  const choice = between(random, 0, 7);
  const wrong = pick(random, ['x', limits.key.toUpperCase(), limits.key.slice(0, -1), 'AIzaSyDUMMY-DUMMY-DUMMY', '\u00e9\u00e8\u00ff', 'k'.repeat(8000), "' OR 1=1 --"]);
  const cases: Array<[Record<string, string>, string, readonly number[]]> = [
    [{ 'content-type': 'application/json' }, '', [401]],
    [{ 'content-type': 'application/json', 'x-goog-api-key': wrong }, '', [403]],
    // A "Bearer" value with spaces in it is no bearer token at all: missing credentials.
    [{ 'content-type': 'application/json', authorization: `Bearer ${wrong}` }, '', /\s/.test(wrong) ? [401] : [403]],
    [{ 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`u:${limits.key}`).toString('base64')}` }, '', [401]],
    [{ 'content-type': 'application/json', 'x-goog-api-key': '' }, '', [401]],
    [{ 'content-type': 'application/json' }, `?key=${encodeURIComponent(wrong)}`, [403]],
    [{ 'content-type': 'application/json' }, `?key=a&key=${encodeURIComponent(limits.key)}`, [401]],
    [{ 'content-type': 'application/json', authorization: 'Bearer' }, '', [401]],
  ];
  const [headers, query, expect] = cases[choice]!;
  return { category: 'bad credentials', method: 'POST', path: `/v1beta/models/gemini-3.5-flash-lite:generateContent${query}`, headers, body, expect };
};

const numericJunk: Generator = (random, limits) => {
  const field = pick(random, ['maxOutputTokens', 'temperature', 'topK', 'candidateCount', 'seed', 'topP']);
  const value = pick(random, ['1e309', '-1e309', '"NaN"', '"Infinity"', '9007199254740993', '1.0000000000000002', '"1"', '[1]', '{"value":1}', '-0.5e400']);
  // A huge but finite number is a valid temperature, and a number in a string is a number: make such a
  // request wrong some other way.
  const valid = ((field === 'temperature' || field === 'topP' || field === 'topK') && (value === '9007199254740993' || value === '1.0000000000000002')) || value === '"1"';
  const tail = valid ? ',"candidateCount":"two"' : '';
  return post(`numeric junk ${field}`, random, limits, `{"contents":[{"parts":[{"text":"n"}]}],"generationConfig":{"${field}":${value}${tail}}}`);
};

const invalidUtf8: Generator = (random, limits) => {
  const head = Buffer.from('{"contents":[{"role":"user","parts":[{"text":"');
  const junk = Buffer.from(pick(random, [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]]));
  // The flaw that must be refused: a wrong type next to the bad bytes.
  const tail = Buffer.from('"}]}],"generationConfig":{"temperature":"warm"}}');
  return post('invalid UTF-8 + wrong type', random, limits, Buffer.concat([head, junk, tail]));
};

const WEIGHTED: readonly Generator[] = [
  ...Array<Generator>(18).fill(wrongType),
  ...Array<Generator>(3).fill(missingRequired),
  ...Array<Generator>(3).fill(deepNesting),
  hugeString,
  ...Array<Generator>(5).fill(badBase64),
  ...Array<Generator>(5).fill(lyingMime),
  ...Array<Generator>(3).fill(oversizedParts),
  ...Array<Generator>(3).fill(tooManyParts),
  ...Array<Generator>(6).fill(badPath),
  ...Array<Generator>(4).fill(unknownMethod),
  ...Array<Generator>(5).fill(wrongHttpMethod),
  ...Array<Generator>(4).fill(wrongContentType),
  ...Array<Generator>(6).fill(invalidJson),
  ...Array<Generator>(3).fill(nonObject),
  ...Array<Generator>(4).fill(badFileUri),
  ...Array<Generator>(4).fill(prototypePollution),
  ...Array<Generator>(5).fill(badCredentials),
  ...Array<Generator>(3).fill(numericJunk),
  ...Array<Generator>(2).fill(invalidUtf8),
  oversizedBody,
];
