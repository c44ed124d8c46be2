/**
 * Google reads a request body as proto3 JSON, which is looser than the spelling the SDKs send. Three of
 * its rules change what the gateway would read:
 *
 * - A field may be sent by its proto name: `inline_data` as well as `inlineData`. Google's own REST
 *   samples use the proto name.
 * - `null` stands for a field left out ("null is an accepted value for all field types and treated as the
 *   default value"). Clients that serialise optional fields as `null` send it, e.g. `"temperature": null`.
 * - A number may be sent as a string: `"maxOutputTokens": "100"`.
 *
 * The gateway's stages read a field only by its lowerCamelCase name, as a number where it is one, and
 * the schema refuses `null`. Limits, budgets, media checks and the cache key would all miss such a field,
 * or a request Google takes would be refused. So a request is put in the SDKs' spelling once, on the way
 * in, where the gateway reads it:
 * - the request itself (also inside `requests[]` and `generateContentRequest`);
 * - its generation and thinking config, tools and their function declarations, and safety settings;
 * - its contents and their parts;
 * - the parts' inline and file data, function calls and responses.
 *
 * Nothing else is touched: function arguments and responses, schemas and labels hold the caller's own
 * names and values. A `null` there is a value (`google.protobuf.Value`), as it is in `responseJsonSchema`.
 * A number in a string too large for a double is left as it is, and refused: read, it would be Infinity.
 *
 * Vertex's `predict` is left as it is: its `instances` are free-form values whose names Vertex defines.
 */
import { invalidArgument } from './errors';

type Json = Record<string, unknown>;

/** How to read a message: which fields are messages, lists of messages, numbers, or free-form values. */
interface Message {
  fields: Record<string, Message>;
  lists: Record<string, Message>;
  /** Numeric fields: a decimal string in one of them is read as the number. */
  numbers?: ReadonlySet<string>;
  /** `google.protobuf.Value` fields, where `null` is a value and is kept. */
  values?: ReadonlySet<string>;
}

const BLOB: Message = { fields: {}, lists: {} };
/** A function call or response: its own fields only; `args` and `response` are the caller's (a Struct). */
const FUNCTION_CALL: Message = { fields: {}, lists: {} };
const PART: Message = { fields: { inlineData: BLOB, fileData: BLOB, functionCall: FUNCTION_CALL, functionResponse: FUNCTION_CALL }, lists: {} };
/** A function declaration: its own fields; its schemas are the caller's, and the JSON Schema ones are values. */
const FUNCTION_DECLARATION: Message = { fields: {}, lists: {}, values: new Set(['parametersJsonSchema', 'responseJsonSchema']) };
const TOOL: Message = { fields: {}, lists: { functionDeclarations: FUNCTION_DECLARATION } };
const SAFETY_SETTING: Message = { fields: {}, lists: {} };
const CONTENT: Message = { fields: {}, lists: { parts: PART } };
const THINKING_CONFIG: Message = { fields: {}, lists: {}, numbers: new Set(['thinkingBudget']) };
const GENERATION_CONFIG: Message = {
  fields: { thinkingConfig: THINKING_CONFIG },
  lists: {},
  numbers: new Set(['temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'seed', 'presencePenalty', 'frequencyPenalty', 'logprobs']),
  values: new Set(['responseJsonSchema']),
};
const REQUEST: Message = {
  fields: { systemInstruction: CONTENT, content: CONTENT, generationConfig: GENERATION_CONFIG },
  lists: { contents: CONTENT, tools: TOOL, safetySettings: SAFETY_SETTING },
  numbers: new Set(['outputDimensionality']),
};
// A batch's requests and the legacy countTokens wrapper are requests themselves.
REQUEST.fields.generateContentRequest = REQUEST;
REQUEST.lists.requests = REQUEST;

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** A decimal number as proto3 JSON takes it in a string: sign, digits, fraction, exponent. */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The path of a field for an error message, made only when there is an error. */
type Path = () => string;

/** `node` read as `message` says, or `node` itself when it already was as the SDKs send it. */
function normalized(node: Json, message: Message, path: Path): Json {
  let out: Json | undefined;
  for (const key of Object.keys(node)) {
    if (!key.includes('_') || !SNAKE_CASE.test(key)) continue;
    const name = camel(key);
    if (name in node) throw invalidArgument(`${path()}${key} and ${path()}${name} are the same field; send it once.`);
    out ??= { ...node };
    out[name] = out[key];
    delete out[key];
  }
  const fields = out ?? node;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === null && !message.values?.has(key)) delete (out ??= { ...node })[key];
    else if (typeof value === 'string' && message.numbers?.has(key) && DECIMAL.test(value) && Number.isFinite(Number(value))) (out ??= { ...node })[key] = Number(value);
  }
  const read = out ?? node;
  for (const field in message.fields) {
    const value = read[field];
    if (!isObject(value)) continue;
    const next = normalized(value, message.fields[field]!, () => `${path()}${field}.`);
    if (next !== value) (out ??= { ...node })[field] = next;
  }
  for (const field in message.lists) {
    const value: unknown = read[field];
    if (!Array.isArray(value)) continue;
    const list: readonly unknown[] = value;
    let items: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (!isObject(item)) continue;
      const next = normalized(item, message.lists[field]!, () => `${path()}${field}[${i}].`);
      if (next !== item) (items ??= [...list])[i] = next;
    }
    if (items) (out ??= { ...node })[field] = items;
  }
  return out ?? node;
}

/**
 * The request in the SDKs' spelling where the gateway reads it; the same object when it already was (as
 * every SDK sends it). Refuses a field sent under both names.
 */
export function proto3Normalized(method: string, body: Json): Json {
  return method === 'predict' ? body : normalized(body, REQUEST, () => '');
}
