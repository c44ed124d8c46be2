/**
 * What may become a span attribute. The pipeline passes bounded values by contract; this is the guard that
 * keeps a mistake from exporting a key or a prompt: only known namespaces pass, the GenAI content attributes
 * never do, long strings are cut, and anything shaped like a credential is replaced.
 */
import type { Attributes } from '@opentelemetry/api';
import { GEN_AI_CONTENT_ATTRIBUTES } from './semconv';

/** Attribute keys (or key prefixes ending in `.`) allowed on gateway spans. */
const ALLOWED = ['gen_ai.', 'gateway.', 'http.request.method', 'http.response.status_code', 'http.route', 'server.', 'error.type', 'url.scheme', 'network.protocol.'];
const CONTENT = new Set<string>(GEN_AI_CONTENT_ATTRIBUTES);
const MAX_STRING = 256;

/** Google API keys, `key=`/`api_key=`/`access_token=` query parameters, bearer tokens. */
const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  [/AIza[0-9A-Za-z_-]{20,}/g, '[redacted]'],
  [/([?&]|^)(key|api_key|access_token)=[^&\s]*/gi, '$1$2=[redacted]'],
  [/\b(Bearer)\s+[A-Za-z0-9._~+/-]+=*/g, '$1 [redacted]'],
  [/\bya29\.[0-9A-Za-z._-]+/g, '[redacted]'],
];

/** Matches wherever one of the patterns above could: most text has none, and is returned after this one test. */
const MAYBE_CREDENTIAL = /AIza|key=|token=|bearer|ya29\./i;

export function redactCredentials(text: string): string {
  if (!MAYBE_CREDENTIAL.test(text)) return text;
  return CREDENTIAL_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

export function isAllowedSpanAttribute(key: string): boolean {
  if (CONTENT.has(key)) return false;
  return ALLOWED.some((allowed) => (allowed.endsWith('.') ? key.startsWith(allowed) : key === allowed));
}

type Primitive = string | number | boolean;

function cleanPrimitive(value: unknown): Primitive | undefined {
  if (typeof value === 'string') return redactCredentials(value).slice(0, MAX_STRING);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

/** Strings redacted and cut, numbers and booleans kept, arrays of those kept (16 items at most); anything else dropped. */
function cleanValue(value: unknown): Primitive | Primitive[] | undefined {
  if (!Array.isArray(value)) return cleanPrimitive(value);
  return (value as unknown[]).slice(0, 16).flatMap((item) => {
    const cleaned = cleanPrimitive(item);
    return cleaned === undefined ? [] : [cleaned];
  });
}

/** The attributes that may be recorded, cleaned; everything else is dropped. */
export function cleanSpanAttributes(attributes: Readonly<Record<string, unknown>>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!isAllowedSpanAttribute(key)) continue;
    const cleaned = cleanValue(value);
    if (cleaned !== undefined) out[key] = cleaned;
  }
  return out;
}
