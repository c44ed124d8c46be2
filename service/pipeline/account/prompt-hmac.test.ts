/** The audit prompt fingerprint: keyed, stable under one key, different under another, never the plain hash. */
import { createHmac } from 'node:crypto';
import { promptHmacWith } from './prompt-hmac';

const SHA = 'a'.repeat(64);

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
