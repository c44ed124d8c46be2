/**
 * `canonicalSha256` is SHA-256 of `safe-stable-stringify`'s text, which defines the cache key and the audit
 * record's prompt fingerprint (the secrets test recomputes it that way). Held to it over a generated corpus
 * of the values request bodies are made of, long strings of every kind included, since those take their
 * own way into the hash.
 */
import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { seededRandom } from '../../emulator/answers';
import { canonicalSha256 } from './canonical-hash';

const reference = (value: unknown): string => createHash('sha256').update(stringify(value) ?? '').digest('hex');

/** Pieces a string is built of: plain ASCII, what JSON escapes, other scripts, emoji (surrogate pairs), lone surrogates. */
const PIECES = ['text ', 'Zebra', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', 'ü', 'Привет', '中文', '😀', '\ud800', '\udfff', '/', '<>&', '\u2028', 'AQID+/=='];

function stringOf(random: () => number, length: number, pieces: readonly string[]): string {
  let text = '';
  while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
  return text;
}

function randomString(random: () => number): string {
  const long = random() < 0.25;
  const length = long ? 4000 + Math.floor(random() * 4000) : Math.floor(random() * 40);
  // Half the strings use only characters JSON leaves alone: the long ones take the unescaped way.
  const plain = random() < 0.5;
  return stringOf(random, length, plain ? ['text ', 'Zebra', 'AQID+/==', 'é', 'Привет', '/'] : PIECES);
}

const NUMBERS = [0, -0, 1, -1, 3.5, 1e21, 1e-7, -2.5e-10, 123456789012, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY];

function randomValue(random: () => number, depth: number): unknown {
  const pick = random();
  if (depth > 4 || pick < 0.35) return randomString(random);
  if (pick < 0.45) return NUMBERS[Math.floor(random() * NUMBERS.length)];
  if (pick < 0.5) return random() < 0.5;
  if (pick < 0.55) return null;
  if (pick < 0.58) return undefined;
  if (pick < 0.78) return Array.from({ length: Math.floor(random() * 5) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 6); i > 0; i--) {
    // Keys of every kind, integer-like ones included (Object.keys lists those first; both sort them as text).
    const key = random() < 0.2 ? String(Math.floor(random() * 20)) : randomString(random).slice(0, 12);
    object[key] = randomValue(random, depth + 1);
  }
  return object;
}

test('equals SHA-256 of safe-stable-stringify over 1,500 generated values', () => {
  // Seeded, so a failure can be reproduced.
  const random = seededRandom(0x5eed);
  const mismatches: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const value = { contents: randomValue(random, 0), systemInstruction: random() < 0.5 ? randomValue(random, 1) : null };
    if (canonicalSha256(value) !== reference(value)) mismatches.push(JSON.stringify(value).slice(0, 200));
  }
  expect(mismatches).toEqual([]);
});

test('equals it for what a prompt is: long text, an inline image, escapes in a long string, key order', () => {
  const image = Buffer.alloc(3_000_000, 7).toString('base64');
  const cases: Array<Record<string, unknown> | unknown[]> = [
    { contents: [{ role: 'user', parts: [{ text: 'Describe this.' }, { inlineData: { mimeType: 'image/png', data: image } }] }], systemInstruction: null },
    { systemInstruction: { parts: [{ text: 'x'.repeat(10_000) }] }, contents: [{ parts: [{ text: `${'line\n'.repeat(3000)}"quoted" \\ end` }], role: 'user' }] },
    { contents: [{ parts: [{ text: '😀'.repeat(5000) }] }], systemInstruction: null },
    { contents: [{ parts: [{ text: `${'a'.repeat(5000)}\ud800` }] }], systemInstruction: null },
    [],
    {},
    [undefined, () => 1, Symbol('s'), 1n],
    { b: undefined, a: () => 1, c: [undefined], d: Number.NEGATIVE_INFINITY },
  ];
  for (const value of cases) expect(canonicalSha256(value)).toBe(reference(value));
});

test('two orders of the same members hash alike; another value does not', () => {
  expect(canonicalSha256({ a: 1, b: [{ y: 'long '.repeat(2000), x: 2 }] })).toBe(canonicalSha256({ b: [{ x: 2, y: 'long '.repeat(2000) }], a: 1 }));
  expect(canonicalSha256({ a: 'long '.repeat(2000) })).not.toBe(canonicalSha256({ a: `${'long '.repeat(2000)}.` }));
});
