/** Small PromQL builders shared by alert and dashboard definitions, so selectors are written one way. */

/** A label matcher: `[label, op, value]`, e.g. `['http_response_status_code', '=~', '5..']`. */
export type Matcher = readonly [label: string, op: '=' | '!=' | '=~' | '!~', value: string];

/** Escapes a value for a double-quoted PromQL string. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** `{a="b", c=~"d"}` from raw matcher text (e.g. a job selector) and matchers; empty parts are skipped, and no matcher at all gives no braces. */
export function selector(...parts: Array<string | Matcher | undefined>): string {
  const text = parts
    .filter((p): p is string | Matcher => p !== undefined && p !== '')
    .map((p) => (typeof p === 'string' ? p : `${p[0]}${p[1]}${quote(p[2])}`));
  return text.length === 0 ? '' : `{${text.join(', ')}}`;
}

/** Escapes regex metacharacters so a literal can sit inside `=~`. */
export function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `a|b|c` alternation of literal values. */
export function anyOf(values: readonly string[]): string {
  return values.map(regexLiteral).join('|');
}
