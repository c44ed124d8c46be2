/**
 * Google's JSON parser takes a request's fields by either name, `inline_data` as well as `inlineData`
 * (proto3 JSON), and Google's own REST samples use the first. The gateway reads the second: limits,
 * budgets, media checks and the cache key would all miss a field sent the other way. So a request's
 * fields are renamed to lowerCamelCase once, on the way in, where the gateway reads them: the request
 * itself (also inside `requests[]` and `generateContentRequest`), its generation and thinking config, its
 * contents and their parts, and the parts' inline and file data. Nothing else is touched: function
 * arguments and responses, schemas and labels hold the caller's own names.
 *
 * Vertex's `predict` is left as it is: its `instances` are free-form values whose names Vertex defines.
 */
import { invalidArgument } from './errors';

type Json = Record<string, unknown>;

/** Where to rename inside a message, once its own fields are renamed: in objects, and in arrays of objects. */
interface Message {
  fields: Record<string, Message>;
  lists: Record<string, Message>;
}

const BLOB: Message = { fields: {}, lists: {} };
const PART: Message = { fields: { inlineData: BLOB, fileData: BLOB }, lists: {} };
const CONTENT: Message = { fields: {}, lists: { parts: PART } };
const GENERATION_CONFIG: Message = { fields: { thinkingConfig: { fields: {}, lists: {} } }, lists: {} };
const REQUEST: Message = { fields: { systemInstruction: CONTENT, content: CONTENT, generationConfig: GENERATION_CONFIG }, lists: { contents: CONTENT } };
// A batch's requests and the legacy countTokens wrapper are requests themselves.
REQUEST.fields.generateContentRequest = REQUEST;
REQUEST.lists.requests = REQUEST;

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `node` with its fields renamed as `message` says, or `node` itself when nothing needed renaming. */
function renamed(node: Json, message: Message, path: string): Json {
  let out: Json | undefined;
  for (const key of Object.keys(node)) {
    if (!key.includes('_') || !SNAKE_CASE.test(key)) continue;
    const name = camel(key);
    if (name in node) throw invalidArgument(`${path}${key} and ${path}${name} are the same field; send it once.`);
    out ??= { ...node };
    out[name] = out[key];
    delete out[key];
  }
  const fields = out ?? node;
  for (const [field, inner] of Object.entries(message.fields)) {
    const value = fields[field];
    if (!isObject(value)) continue;
    const next = renamed(value, inner, `${path}${field}.`);
    if (next !== value) (out ??= { ...node })[field] = next;
  }
  for (const [field, element] of Object.entries(message.lists)) {
    const value = fields[field];
    if (!Array.isArray(value)) continue;
    let changed = false;
    const items = value.map((item: unknown, i) => {
      if (!isObject(item)) return item;
      const next = renamed(item, element, `${path}${field}[${i}].`);
      changed ||= next !== item;
      return next;
    });
    if (changed) (out ??= { ...node })[field] = items;
  }
  return out ?? node;
}

/**
 * The request with its fields in lowerCamelCase where the gateway reads them; the same object when it
 * already was (every SDK sends that). Refuses a field sent under both names.
 */
export function camelCaseRequest(method: string, body: Json): Json {
  return method === 'predict' ? body : renamed(body, REQUEST, '');
}
