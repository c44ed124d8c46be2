/**
 * The job's API keys through the API Keys v2 API (`@google-cloud/apikeys`): every key it creates is bound
 * to the gateway's service account, restricted to the Gemini API, and annotated with the secret it feeds
 * and the rotation that made it, which is how the job finds its keys again.
 */
import type { ApiKeysClient, protos } from '@google-cloud/apikeys';
import { GRPC_ALREADY_EXISTS, GRPC_NOT_FOUND, hasGrpcCode } from './google-error';
import { GEMINI_API_SERVICE, type ApiKeyStore, type ManagedKey, type NewKey } from './key-rotation';
import { requireDate, toDate } from './timestamp';

type Key = protos.google.api.apikeys.v2.IKey;

export const SECRET_ANNOTATION = 'gemini-gateway/secret';
export const ROTATION_ANNOTATION = 'gemini-gateway/rotation';

export interface GoogleApiKeyStoreOptions {
  client: ApiKeysClient;
  /** Project (id or number) the keys live in. */
  project: string;
  /** The secret the keys are published to: only keys annotated with it are the job's. */
  secretName: string;
  /** The service account every key is bound to. */
  boundServiceAccount: string;
}

export class GoogleApiKeyStore implements ApiKeyStore {
  private readonly parent: string;

  constructor(private readonly options: GoogleApiKeyStoreOptions) {
    this.parent = `projects/${options.project}/locations/global`;
  }

  async listManaged(): Promise<ManagedKey[]> {
    const [keys] = await this.options.client.listKeys({ parent: this.parent, showDeleted: true });
    return keys.filter((k) => k.annotations?.[SECRET_ANNOTATION] === this.options.secretName).map(toManagedKey);
  }

  async create(key: NewKey): Promise<ManagedKey> {
    // `serviceAccountEmail` is not in the library's generated types yet (see bound-key-field.ts).
    const boundKey: Key & { serviceAccountEmail: string } = {
      displayName: key.displayName,
      annotations: { [SECRET_ANNOTATION]: this.options.secretName, [ROTATION_ANNOTATION]: key.rotationId },
      restrictions: { apiTargets: [{ service: GEMINI_API_SERVICE }] },
      serviceAccountEmail: this.options.boundServiceAccount,
    };
    try {
      const [operation] = await this.options.client.createKey({ parent: this.parent, keyId: key.keyId, key: boundKey });
      const [created] = await operation.promise();
      return toManagedKey(created);
    } catch (error) {
      if (!hasGrpcCode(error, GRPC_ALREADY_EXISTS)) throw error;
      const [existing] = await this.options.client.getKey({ name: `${this.parent}/keys/${key.keyId}` });
      if (existing.annotations?.[ROTATION_ANNOTATION] !== key.rotationId) throw new Error(`Key id ${key.keyId} is taken by a key this job did not make for rotation ${key.rotationId}`);
      return toManagedKey(existing);
    }
  }

  async keyString(name: string): Promise<string> {
    const [response] = await this.options.client.getKeyString({ name });
    if (!response.keyString) throw new Error(`The API returned no key string for ${name}`);
    return response.keyString;
  }

  async delete(name: string): Promise<void> {
    try {
      const [operation] = await this.options.client.deleteKey({ name });
      await operation.promise();
    } catch (error) {
      if (!hasGrpcCode(error, GRPC_NOT_FOUND)) throw error;
    }
  }
}

function toManagedKey(key: Key): ManagedKey {
  if (!key.name) throw new Error('The API returned a key without a name');
  const rotationId = key.annotations?.[ROTATION_ANNOTATION];
  if (rotationId === undefined) throw new Error(`Key ${key.name} has no ${ROTATION_ANNOTATION} annotation`);
  const deleteTime = toDate(key.deleteTime);
  return { name: key.name, rotationId, createTime: requireDate(key.createTime, `createTime for ${key.name}`), ...(deleteTime ? { deleteTime } : {}) };
}
