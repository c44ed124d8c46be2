/**
 * Reading a JSON request body: the bytes are kept (they are forwarded upstream unchanged when no stage
 * rewrites them) and parsed once. Every way a body can be wrong ends in a Google-shaped 4xx.
 */
import type { IncomingMessage } from 'node:http';
import { GoogleApiError, invalidArgument } from '../protocol/errors';

const JSON_TYPES = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** Google's protobuf parser stops at 100 levels; deeper JSON is an attack or a bug, never a real request. */
export const MAX_JSON_DEPTH = 100;

/** The nesting depth of a parsed JSON value, walked without recursion so hostile input cannot blow the stack. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export interface JsonBody {
  raw: Buffer;
  value: Record<string, unknown>;
}

/** Rejects a declared content type that is not JSON; a missing one is read as JSON, as Google does. */
export function requireJsonContentType(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (type !== undefined && !JSON_TYPES.test(type)) {
    throw new GoogleApiError(415, `Content-Type ${JSON.stringify(type.slice(0, 100))} is not supported; send application/json.`, {
      status: 'INVALID_ARGUMENT',
    });
  }
}

/**
 * The body as the body reader left it (`req.body`), taken off the request: the request object lives as
 * long as its response, a stream's included, and nothing reads the bytes there again.
 */
export function takeBody(req: IncomingMessage & { body?: unknown }): unknown {
  const body = req.body;
  req.body = undefined;
  return body;
}

/** Refuses bytes that are not UTF-8 instead of forwarding them with replacement characters. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(raw: unknown): JsonBody {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  if (bytes.length === 0) throw invalidArgument('The request has no body; send a JSON object.');
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw invalidArgument('Invalid JSON payload received: the body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // RangeError: nesting deeper than the parser's stack; SyntaxError: not JSON.
    const reason = error instanceof RangeError ? 'nested too deeply' : 'not valid JSON';
    throw invalidArgument(`Invalid JSON payload received: the body is ${reason}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('Invalid JSON payload received: the body must be a JSON object.');
  }
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
    throw invalidArgument(`Invalid JSON payload received: the body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  return { raw: bytes, value: value as Record<string, unknown> };
}
