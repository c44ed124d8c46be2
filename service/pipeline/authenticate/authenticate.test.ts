import { callerSchema } from '../../config/policy';
import { type GoogleApiError } from '../../protocol/errors';
import { createAuthenticate, sha256Hex } from './index';

const teamA = callerSchema.parse({ id: 'team-a', keySha256: [sha256Hex('key-a')], identities: ['alice@example.com'] });

const statusOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as GoogleApiError).httpStatus;
  }
  return undefined;
};

test('keys: a known key (header or bearer) is its caller; unknown 403; none 401', () => {
  const authenticate = createAuthenticate({ mode: 'keys', callers: [teamA] });
  expect(authenticate({ apiKey: 'key-a' }).id).toBe('team-a');
  expect(authenticate({ bearer: 'key-a' }).id).toBe('team-a');
  expect(statusOf(() => authenticate({ apiKey: 'key-b' }))).toBe(403);
  expect(statusOf(() => authenticate({}))).toBe(401);
});

test('iam: the verified identity (IAP format) maps to its caller', () => {
  const authenticate = createAuthenticate({ mode: 'iam', callers: [teamA] });
  expect(authenticate({ identity: 'accounts.google.com:Alice@example.com' }).id).toBe('team-a');
  expect(statusOf(() => authenticate({ identity: 'mallory@example.com' }))).toBe(403);
  expect(statusOf(() => authenticate({ apiKey: 'key-a' }))).toBe(401);
});

test('open: everyone is the local caller', () => {
  expect(createAuthenticate({ mode: 'open', callers: [] })({}).id).toBe('local');
});
