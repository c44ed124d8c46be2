/**
 * The key-rotation job end to end over HTTP: Pub/Sub push → job → Google client libraries (REST) → local
 * fakes of the API Keys and Secret Manager APIs. The clock is shared and manual, so grace periods are
 * exact; failures are injected into the fakes.
 */
import { GRACE_MS, PROJECT, SECRET_NAME, BOUND_ACCOUNT, post, pushBody, startRotationHarness, type RotationHarness } from './rotation-harness';
import { ROTATION_JOB_ROUTES } from '../../service/jobs/routes';

const MINUTE = 60_000;
const PLACEHOLDER = 'placeholder-until-the-first-rotation';

let h: RotationHarness;

beforeEach(async () => {
  h = await startRotationHarness();
  h.secrets.seed(PLACEHOLDER);
});

afterEach(async () => {
  await h.stop();
});

const deliver = (messageId: string, publishTime = h.clock.now()) => post(`${h.url}${ROTATION_JOB_ROUTES.secretEvents}`, pushBody(messageId, publishTime));
const retire = () => post(`${h.url}${ROTATION_JOB_ROUTES.retire}`);
const liveKeyStrings = () => h.apiKeys.liveKeys().map((k) => k.keyString);
const newestPayload = () => h.secrets.versions.at(-1)?.data.toString('utf8');

describe('a SECRET_ROTATE message', () => {
  test('creates a key bound to the runtime account and restricted to the Gemini API, and publishes it as the newest version', async () => {
    const answer = await deliver('1001');

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ outcome: 'rotated', keyName: expect.stringMatching(/^projects\/.+\/keys\/gemini-gw-gemini-api-key-[0-9a-f]{16}$/), version: `${SECRET_NAME}/versions/2` });
    const [key] = h.apiKeys.liveKeys();
    expect(h.apiKeys.liveKeys()).toHaveLength(1);
    expect(key).toMatchObject({
      serviceAccountEmail: BOUND_ACCOUNT,
      restrictions: { apiTargets: [{ service: 'generativelanguage.googleapis.com' }] },
      annotations: { 'gemini-gateway/secret': SECRET_NAME, 'gemini-gateway/rotation': '1001' },
    });
    expect(key?.name.startsWith(`projects/${PROJECT}/locations/global/keys/`)).toBe(true);
    expect(newestPayload()).toBe(key?.keyString);
    // The previous version stays enabled: gateways fall back to it during the grace period.
    expect(h.secrets.enabledPayloads()).toEqual([PLACEHOLDER, key?.keyString]);
    // CreateKey is a long-running operation: the library polled it to completion.
    expect(h.apiKeys.callsOf('GetOperation').length).toBeGreaterThanOrEqual(1);
  });

  test('delivered twice makes one key and one version', async () => {
    const first = await deliver('1001');
    const second = await deliver('1001');

    expect(first.json).toMatchObject({ outcome: 'rotated' });
    expect(second.json).toMatchObject({ outcome: 'already-published', version: `${SECRET_NAME}/versions/2` });
    expect(h.apiKeys.keys.size).toBe(1);
    expect(h.apiKeys.callsOf('CreateKey')).toHaveLength(1);
    expect(h.secrets.versions).toHaveLength(2);
  });

  test('whose version could not be added leaves no half state: the redelivery publishes the same key', async () => {
    h.secrets.failNext('AddSecretVersion', 500);

    const failed = await deliver('1001');
    expect(failed.status).toBe(500); // Pub/Sub redelivers on a non-2xx answer.
    expect(h.secrets.versions).toHaveLength(1);
    expect(newestPayload()).toBe(PLACEHOLDER); // The gateway keeps serving with what it has.

    const retried = await deliver('1001');
    expect(retried.json).toMatchObject({ outcome: 'rotated', version: `${SECRET_NAME}/versions/2` });
    expect(h.apiKeys.keys.size).toBe(1);
    expect(h.apiKeys.callsOf('CreateKey')).toHaveLength(1);
    expect(newestPayload()).toBe(liveKeyStrings()[0]);
  });

  test('whose version was added but whose answer was lost does not add a duplicate on redelivery', async () => {
    h.secrets.failNext('AddSecretVersion', 503, { afterApplying: true });

    expect((await deliver('1001')).status).toBe(500);
    expect(h.secrets.versions).toHaveLength(2);

    expect((await deliver('1001')).json).toMatchObject({ outcome: 'already-published' });
    expect(h.secrets.versions).toHaveLength(2);
    expect(h.apiKeys.keys.size).toBe(1);
  });

  test('whose key creation answer was lost finds the created key on redelivery', async () => {
    h.apiKeys.failNext('CreateKey', 503, { afterApplying: true });

    expect((await deliver('1001')).status).toBe(500);
    expect(h.apiKeys.keys.size).toBe(1);

    expect((await deliver('1001')).json).toMatchObject({ outcome: 'rotated' });
    expect(h.apiKeys.keys.size).toBe(1);
    expect(newestPayload()).toBe(liveKeyStrings()[0]);
  });

  test('older than a key made by a later rotation changes nothing', async () => {
    const published = h.clock.now();
    h.clock.advance(MINUTE);
    await deliver('1002');

    const late = await deliver('1001', published);

    expect(late.json).toMatchObject({ outcome: 'superseded' });
    expect(h.apiKeys.keys.size).toBe(1);
    expect(h.secrets.versions).toHaveLength(2);
  });

  test('redelivered after its key was retired changes nothing', async () => {
    await deliver('1001');
    h.clock.advance(MINUTE);
    await deliver('1002');
    h.clock.advance(GRACE_MS);
    expect((await retire()).json).toMatchObject({ outcome: 'retired', deletedKeys: [expect.any(String)] });

    const again = await deliver('1001');

    expect(again.json).toMatchObject({ outcome: 'already-retired' });
    expect(h.apiKeys.liveKeys()).toHaveLength(1);
    expect(h.secrets.versions).toHaveLength(3);
  });
});

describe('messages the job does not act on', () => {
  test('other Secret Manager events and other secrets are acknowledged and ignored', async () => {
    const versionAdded = await post(`${h.url}${ROTATION_JOB_ROUTES.secretEvents}`, pushBody('2001', h.clock.now(), 'SECRET_VERSION_ADD'));
    const otherSecret = await post(`${h.url}${ROTATION_JOB_ROUTES.secretEvents}`, pushBody('2002', h.clock.now(), 'SECRET_ROTATE', 'projects/1/secrets/another-secret'));

    expect(versionAdded).toEqual({ status: 200, json: { outcome: 'ignored', reason: 'event SECRET_VERSION_ADD is not SECRET_ROTATE' } });
    expect(otherSecret.json).toMatchObject({ outcome: 'ignored' });
    expect(h.apiKeys.calls).toHaveLength(0);
  });

  test('a body that is not a Secret Manager notification is acknowledged (never redelivered) and changes nothing', async () => {
    const answer = await post(`${h.url}${ROTATION_JOB_ROUTES.secretEvents}`, { message: { attributes: { eventType: 'SECRET_ROTATE' } } });

    expect(answer.status).toBe(204);
    expect(h.apiKeys.calls).toHaveLength(0);
    expect(h.logs.join('')).toContain('acknowledged a message that is not a Secret Manager notification');
  });
});

describe('retiring previous keys', () => {
  test('waits for the grace period, then disables older versions', async () => {
    await deliver('1001');

    h.clock.advance(GRACE_MS - MINUTE);
    const early = await retire();
    expect(early.json).toMatchObject({ outcome: 'in-grace', current: `${SECRET_NAME}/versions/2` });
    expect(h.secrets.enabledPayloads()).toHaveLength(2);

    h.clock.advance(MINUTE);
    const due = await retire();
    expect(due.json).toEqual({ outcome: 'retired', current: `${SECRET_NAME}/versions/2`, disabledVersions: [`${SECRET_NAME}/versions/1`], deletedKeys: [] });
    expect(h.secrets.enabledPayloads()).toEqual(liveKeyStrings());
  });

  test('deletes the previous key once the next one has been published for the grace period', async () => {
    await deliver('1001');
    const firstKey = h.apiKeys.liveKeys()[0]?.name;
    h.clock.advance(30 * MINUTE);
    await deliver('1002');

    h.clock.advance(GRACE_MS - MINUTE);
    expect((await retire()).json).toMatchObject({ outcome: 'in-grace' });
    expect(h.apiKeys.liveKeys()).toHaveLength(2);

    h.clock.advance(MINUTE);
    expect((await retire()).json).toMatchObject({ outcome: 'retired', deletedKeys: [firstKey] });
    expect(h.apiKeys.liveKeys()).toHaveLength(1);
    expect(h.secrets.enabledPayloads()).toEqual(liveKeyStrings());
    expect(h.apiKeys.keys.get(firstKey ?? '')?.deleteTime).toEqual(h.clock.now());
  });

  test('spares the key of a rotation not published yet, however long publishing fails; its redelivery publishes it', async () => {
    await deliver('1001');
    h.clock.advance(GRACE_MS);
    const published = h.clock.now();
    h.secrets.failNext('AddSecretVersion', 500);
    expect((await deliver('1002', published)).status).toBe(500);

    expect((await retire()).json).toMatchObject({ outcome: 'retired', deletedKeys: [] });
    h.clock.advance(GRACE_MS + MINUTE);
    expect((await retire()).json).toMatchObject({ outcome: 'retired', deletedKeys: [] });
    expect(h.apiKeys.liveKeys()).toHaveLength(2);

    // Pub/Sub redelivers once Secret Manager takes versions again: the rotation completes.
    expect((await deliver('1002', published)).json).toMatchObject({ outcome: 'rotated' });
    expect(newestPayload()).toBe(h.apiKeys.liveKeys().find((k) => k.annotations['gemini-gateway/rotation'] === '1002')?.keyString);
    h.clock.advance(GRACE_MS);
    expect((await retire()).json).toMatchObject({ outcome: 'retired', deletedKeys: [expect.stringContaining('/keys/')] });
    expect(h.apiKeys.liveKeys().map((k) => k.keyString)).toEqual([newestPayload()]);
  });

  test('is a no-op when run twice', async () => {
    await deliver('1001');
    h.clock.advance(GRACE_MS);
    await retire();
    const callsBefore = h.secrets.callsOf('DisableSecretVersion').length + h.apiKeys.callsOf('DeleteKey').length;

    expect((await retire()).json).toMatchObject({ outcome: 'retired', disabledVersions: [], deletedKeys: [] });
    expect(h.secrets.callsOf('DisableSecretVersion').length + h.apiKeys.callsOf('DeleteKey').length).toBe(callsBefore);
  });

  test('reports a failure with a 500 and leaves the rest for the next run', async () => {
    await deliver('1001');
    h.clock.advance(GRACE_MS);
    h.secrets.failNext('DisableSecretVersion', 500);

    expect((await retire()).status).toBe(500);
    expect(h.secrets.enabledPayloads()).toHaveLength(2);
    expect((await retire()).json).toMatchObject({ outcome: 'retired', disabledVersions: [`${SECRET_NAME}/versions/1`] });
  });
});

test('no key string ever appears in a log line or an HTTP answer', async () => {
  const answers: unknown[] = [];
  answers.push((await deliver('1001')).json, (await deliver('1001')).json);
  h.clock.advance(MINUTE);
  h.secrets.failNext('AddSecretVersion', 500);
  answers.push((await deliver('1002')).json, (await deliver('1002')).json);
  h.clock.advance(GRACE_MS);
  answers.push((await retire()).json);

  const everything = `${h.logs.join('\n')}\n${JSON.stringify(answers)}`;
  const keyStrings = [...h.apiKeys.keys.values()].map((k) => k.keyString);
  expect(keyStrings).toHaveLength(2);
  for (const keyString of keyStrings) expect(everything).not.toContain(keyString);
  expect(h.logs.length).toBeGreaterThan(3);
});
