/**
 * A small YAML writer for the documents this folder renders (rule files and promtool tests): mappings,
 * sequences, strings, numbers and booleans. Strings are plain when unambiguous, literal blocks (`|-`) when
 * multi-line, and JSON-quoted otherwise (a JSON string is a valid YAML double-quoted scalar). No YAML
 * package is a direct dependency of the project, and this subset needs none.
 */

export type YamlScalar = string | number | boolean | null;
export type YamlValue = YamlScalar | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

const RESERVED = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i;
const NUMBER_LIKE = /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$|^[-+]?\.(?:inf|nan)$|^0x[0-9a-f]+$|^0o[0-7]+$/i;
/** Starts with a letter, digit, `_` or `/`; no character that could end or change a plain scalar (`: ` is checked apart). */
const PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_/ .,;=+():-]*$/;

function scalarText(value: YamlScalar): string {
  if (value === null) return 'null';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`cannot write a ${typeof value} as YAML`);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  const plain = PLAIN.test(value) && !RESERVED.test(value) && !NUMBER_LIKE.test(value) && !value.endsWith(' ') && !value.endsWith(':') && !value.includes(': ');
  return plain ? value : JSON.stringify(value);
}

/** A literal block reproduces the text exactly only if no line ends in whitespace and the first has no indent. */
function asBlock(value: YamlScalar): string[] | undefined {
  if (typeof value !== 'string' || !value.includes('\n')) return undefined;
  if (/^\s/.test(value) || /[ \t]$/m.test(value) || value.endsWith('\n') || /[\r\t]/.test(value)) return undefined;
  return value.split('\n');
}

function isScalar(value: YamlValue): value is YamlScalar {
  return value === null || typeof value !== 'object';
}

function isEmpty(value: YamlValue): boolean {
  return !isScalar(value) && (Array.isArray(value) ? value.length === 0 : Object.values(value).every((v) => v === undefined));
}

/** `head` is the text before the value (`key:` or `-`); returns the lines of `head value`. */
function entry(head: string, value: YamlValue, indent: number): string[] {
  if (isScalar(value)) {
    const block = asBlock(value);
    if (!block) return [`${head} ${scalarText(value)}`];
    const pad = ' '.repeat(indent + 2);
    return [`${head} |-`, ...block.map((line) => (line === '' ? '' : pad + line))];
  }
  if (isEmpty(value)) return [`${head} ${Array.isArray(value) ? '[]' : '{}'}`];
  return [head, ...lines(value, indent + 2)];
}

function lines(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (isScalar(value)) return [pad + scalarText(value)];
  if (Array.isArray(value)) {
    return (value as readonly YamlValue[]).flatMap((item) => {
      if (!isScalar(item) && !Array.isArray(item) && !isEmpty(item)) {
        // A mapping item: its first key sits on the dash line.
        const body = lines(item, indent + 2);
        return [`${pad}- ${(body[0] ?? '').trimStart()}`, ...body.slice(1)];
      }
      return entry(`${pad}-`, item, indent);
    });
  }
  return Object.entries(value as Record<string, YamlValue | undefined>).flatMap(([key, item]) => (item === undefined ? [] : entry(`${pad}${scalarText(key)}:`, item, indent)));
}

/** Serialises `value` (plain data: objects, arrays, strings, numbers, booleans) as a YAML document. */
export function toYaml(value: object, header?: string): string {
  const comment = header ? header.split('\n').map((l) => (l === '' ? '#' : `# ${l}`)) : [];
  return `${[...comment, ...lines(value as YamlValue, 0)].join('\n')}\n`;
}
