/**
 * The Google adapters of the rotation job against the local API fakes: the edges the end-to-end tests do
 * not reach (races on a key id, foreign keys, pagination, checksums).
 */
import { GoogleApiKeyStore } from '../../service/jobs/google-api-key-store';
import { GoogleSecretVersionStore } from '../../service/jobs/google-secret-version-store';
import { createGoogleClients } from '../../service/jobs/google-clients';
import { fakeCredentials } from './fakes/fake-credentials';
import { SecretManagerFake } from './fakes/secret-manager-fake';
import { PROJECT, SECRET_NAME, startRotationHarness, type RotationHarness } from './rotation-harness';

describe('GoogleApiKeyStore', () => {
  let h: RotationHarness;
  beforeEach(async () => {
    h = await startRotationHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  test('creating a key id that already exists (a concurrent redelivery) returns the existing key', async () => {
    const first = await h.keyStore.create({ keyId: 'gemini-key-race', displayName: 'k', rotationId: '42' });
    const second = await h.keyStore.create({ keyId: 'gemini-key-race', displayName: 'k', rotationId: '42' });

    expect(second).toEqual(first);
    expect(h.apiKeys.keys.size).toBe(1);
    expect(h.apiKeys.callsOf('CreateKey')).toHaveLength(2);
    expect(h.apiKeys.callsOf('GetKey')).toHaveLength(1);
  });

  test('a key id taken for another rotation is an error, not an adoption', async () => {
    await h.keyStore.create({ keyId: 'gemini-key-taken', displayName: 'k', rotationId: '42' });

    await expect(h.keyStore.create({ keyId: 'gemini-key-taken', displayName: 'k', rotationId: '43' })).rejects.toThrow('did not make for rotation 43');
  });

  test('lists only the keys made for its secret, across pages, deleted ones included', async () => {
    for (const id of ['a', 'b', 'c']) await h.keyStore.create({ keyId: `gemini-key-${id}`, displayName: id, rotationId: id });
    const other = await createOtherSecretKey(h);
    const deleted = await h.keyStore.create({ keyId: 'gemini-key-d', displayName: 'd', rotationId: 'd' });
    await h.keyStore.delete(deleted.name);

    const listed = await h.keyStore.listManaged();

    expect(listed.map((k) => k.rotationId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(listed.find((k) => k.rotationId === 'd')?.deleteTime).toBeInstanceOf(Date);
    expect(listed.some((k) => k.name === other)).toBe(false);
    expect(h.apiKeys.callsOf('ListKeys').length).toBeGreaterThan(1); // the fake pages by 2
  });

  test('deleting a key that is already gone succeeds', async () => {
    const key = await h.keyStore.create({ keyId: 'gemini-key-gone', displayName: 'k', rotationId: '7' });
    await h.keyStore.delete(key.name);

    await expect(h.keyStore.delete(key.name)).resolves.toBeUndefined();
  });
});

describe('GoogleSecretVersionStore', () => {
  const token = 'versions-test-token';
  let fake: SecretManagerFake;
  let store: GoogleSecretVersionStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    fake = new SecretManagerFake(token, SECRET_NAME, () => new Date('2026-11-22T10:00:00Z'));
    const clients = createGoogleClients({ authClient: fakeCredentials(token), secretManagerEndpoint: await fake.start() });
    store = new GoogleSecretVersionStore({ client: clients.secretManager, secretName: SECRET_NAME });
    close = async () => {
      await clients.close();
      await fake.stop();
    };
  });
  afterEach(async () => {
    await close();
  });

  test('adds versions with a checksum and lists them with their states across pages', async () => {
    await store.add(Buffer.from('one'));
    const second = await store.add(Buffer.from('two'));
    await store.add(Buffer.from('three'));
    await store.disable(second.name);

    const versions = await store.list();

    expect(versions.map((v) => [v.number, v.state])).toEqual([
      [3, 'ENABLED'],
      [2, 'DISABLED'],
      [1, 'ENABLED'],
    ]);
    expect(fake.callsOf('AddSecretVersion').every((c) => typeof (c.body as { payload: { dataCrc32c?: unknown } }).payload.dataCrc32c !== 'undefined')).toBe(true);
    expect(versions[0]?.createTime).toEqual(new Date('2026-11-22T10:00:00Z'));
  });

  test('reads a payload back and rejects one whose checksum does not match', async () => {
    const version = await store.add(Buffer.from('AQ.secret-value'));
    expect((await store.access(version.name)).toString('utf8')).toBe('AQ.secret-value');

    fake.corruptChecksums = true;
    await expect(store.access(version.name)).rejects.toThrow('failed its CRC32C check');
  });

  test('a request without the expected credentials is refused by the fake, as by Google', async () => {
    const clients = createGoogleClients({ authClient: fakeCredentials('wrong-token'), secretManagerEndpoint: await startSecondFake() });
    const anonymous = new GoogleSecretVersionStore({ client: clients.secretManager, secretName: SECRET_NAME });
    await expect(anonymous.list()).rejects.toMatchObject({ code: 16 }); // UNAUTHENTICATED
    await clients.close();
  });

  async function startSecondFake() {
    const second = new SecretManagerFake(token, SECRET_NAME, () => new Date());
    const endpoint = await second.start();
    const previousClose = close;
    close = async () => {
      await previousClose();
      await second.stop();
    };
    return endpoint;
  }
});

async function createOtherSecretKey(h: RotationHarness): Promise<string> {
  const other = new GoogleApiKeyStore({ client: h.clients.apiKeys, project: PROJECT, secretName: `projects/${PROJECT}/secrets/another-secret`, boundServiceAccount: 'other@example.com' });
  return (await other.create({ keyId: 'other-secret-key', displayName: 'other', rotationId: 'x' })).name;
}
