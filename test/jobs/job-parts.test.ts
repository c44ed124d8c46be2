/** The small pure parts of the rotation job: configuration, notification parsing, key ids, checksums. */
import { loadRotationJobConfig } from '../../service/jobs/config';
import { crc32c } from '../../service/jobs/crc32c';
import { keyIdFor } from '../../service/jobs/key-rotation';
import { MalformedEventError, parseSecretEvent } from '../../service/jobs/secret-event';

describe('loadRotationJobConfig', () => {
  const valid = {
    ROTATION_SECRET: 'projects/p-123456/secrets/gemini-key',
    ROTATION_KEY_PROJECT: 'p-123456',
    ROTATION_BOUND_SERVICE_ACCOUNT: 'gw-runtime@p-123456.iam.gserviceaccount.com',
  };

  test('reads the settings and fills the defaults', () => {
    expect(loadRotationJobConfig(valid)).toEqual({
      port: 8080,
      logLevel: 'info',
      secret: 'projects/p-123456/secrets/gemini-key',
      keyProject: 'p-123456',
      boundServiceAccount: 'gw-runtime@p-123456.iam.gserviceaccount.com',
      graceSeconds: 3600,
    });
  });

  test('names every bad setting in one error', () => {
    expect(() => loadRotationJobConfig({ ...valid, ROTATION_SECRET: 'gemini-key', ROTATION_GRACE_SECONDS: '5', ROTATION_BOUND_SERVICE_ACCOUNT: '' })).toThrow(
      /ROTATION_SECRET: must be projects\/<project>\/secrets\/<secret-id>\n {2}ROTATION_BOUND_SERVICE_ACCOUNT: .*\n {2}ROTATION_GRACE_SECONDS: Too small/,
    );
  });
});

describe('parseSecretEvent', () => {
  test('reads the Secret Manager attributes and the Pub/Sub ids, in either spelling', () => {
    const event = parseSecretEvent({
      message: { attributes: { eventType: 'SECRET_ROTATE', secretId: 'projects/1/secrets/s' }, message_id: '77', publish_time: '2026-11-22T10:00:00.123Z' },
    });
    expect(event).toEqual({ eventType: 'SECRET_ROTATE', secretName: 'projects/1/secrets/s', messageId: '77', publishTime: new Date('2026-11-22T10:00:00.123Z') });
  });

  test.each([
    ['no message', {}],
    ['no message id', { message: { attributes: { eventType: 'SECRET_ROTATE', secretId: 'projects/1/secrets/s' }, publishTime: '2026-11-22T10:00:00Z' } }],
    ['no event type', { message: { attributes: { secretId: 'projects/1/secrets/s' }, messageId: '1', publishTime: '2026-11-22T10:00:00Z' } }],
  ])('rejects a body with %s', (_what, body) => {
    expect(() => parseSecretEvent(body)).toThrow(MalformedEventError);
  });
});

describe('keyIdFor', () => {
  test('is stable per rotation, differs between rotations, and fits the API key id rules', () => {
    const id = keyIdFor('projects/p/secrets/gemini-gw-gemini-api-key', '1001');
    expect(id).toBe(keyIdFor('projects/123/secrets/gemini-gw-gemini-api-key', '1001'));
    expect(id).not.toBe(keyIdFor('projects/p/secrets/gemini-gw-gemini-api-key', '1002'));
    expect(id).toMatch(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(keyIdFor(`projects/p/secrets/9_${'X'.repeat(80)}`, '1')).toMatch(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});

test('crc32c matches the Castagnoli check value', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32c(Buffer.alloc(0))).toBe(0);
});
