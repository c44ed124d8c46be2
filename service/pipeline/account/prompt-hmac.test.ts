/** The audit prompt fingerprint: keyed, stable under one key, different under another, never the plain hash. */
import { createHash, createHmac } from 'node:crypto';
import { promptHmacWith } from './prompt-hmac';

const SHA = 'a'.repeat(64);
const hashHex = (text: string): string => createHash('sha256').update(text).digest('hex');

test('one key: the same prompt gets the same fingerprint, the HMAC-SHA256 of its hash', () => {
  const key = 'k'.repeat(32);
  expect(promptHmacWith(key)(SHA)).toBe(promptHmacWith(key)(SHA));
  expect(promptHmacWith(key)(SHA)).toBe(createHmac('sha256', key).update(SHA).digest('hex'));
  expect(promptHmacWith(key)(SHA)).not.toBe(promptHmacWith(key)('b'.repeat(64)));
});

test('another key, or none (a random key per process), gives another fingerprint', () => {
  const keyed = promptHmacWith('k'.repeat(32))(SHA);
  expect(promptHmacWith('j'.repeat(32))(SHA)).not.toBe(keyed);
  const unkeyed = promptHmacWith(undefined);
  expect(unkeyed(SHA)).toBe(unkeyed(SHA));
  expect(unkeyed(SHA)).not.toBe(promptHmacWith(undefined)(SHA));
  expect(unkeyed(SHA)).not.toBe(SHA);
});

test('a remembered fingerprint is the one computed, before and after the memory is emptied', () => {
  const key = 'k'.repeat(32);
  const fingerprint = promptHmacWith(key);
  const expected = createHmac('sha256', key).update(SHA).digest('hex');
  expect([fingerprint(SHA), fingerprint(SHA)]).toEqual([expected, expected]);
  for (let i = 0; i < 5000; i++) fingerprint(i.toString(16).padStart(64, '0'));
  expect(fingerprint(SHA)).toBe(expected);
});

test('the same bytes as createHmac for keys shorter than, as long as, and longer than the block, in any characters', () => {
  const sha = hashHex('a prompt');
  for (const key of ['k'.repeat(32), 'b'.repeat(64), 'long'.repeat(40), 'clé-été-ключ-'.repeat(4)]) {
    expect(promptHmacWith(key)(sha)).toBe(createHmac('sha256', key).update(sha).digest('hex'));
  }
});
