/**
 * The versions of the gateway's key secret through the Secret Manager v1 API
 * (`@google-cloud/secret-manager`), with CRC32C checks on what is written and read.
 */
import type { SecretManagerServiceClient, protos } from '@google-cloud/secret-manager';
import { crc32c } from './crc32c';
import type { SecretVersion, SecretVersionStore, VersionState } from './key-rotation';
import { requireDate } from './timestamp';

type ApiSecretVersion = protos.google.cloud.secretmanager.v1.ISecretVersion;

export interface GoogleSecretVersionStoreOptions {
  client: SecretManagerServiceClient;
  /** `projects/<project>/secrets/<id>` */
  secretName: string;
}

export class GoogleSecretVersionStore implements SecretVersionStore {
  constructor(private readonly options: GoogleSecretVersionStoreOptions) {}

  async list(): Promise<SecretVersion[]> {
    const [versions] = await this.options.client.listSecretVersions({ parent: this.options.secretName });
    return versions.map(toSecretVersion);
  }

  async access(name: string): Promise<Buffer> {
    const [response] = await this.options.client.accessSecretVersion({ name });
    const data = response.payload?.data;
    if (data === null || data === undefined) throw new Error(`Secret version ${name} returned no payload`);
    const bytes = Buffer.from(typeof data === 'string' ? Buffer.from(data, 'base64') : data);
    const expected = response.payload?.dataCrc32c;
    if (expected !== null && expected !== undefined && Number(expected.toString()) !== crc32c(bytes)) {
      throw new Error(`Secret version ${name} failed its CRC32C check: the payload was corrupted in transit`);
    }
    return bytes;
  }

  async add(data: Buffer): Promise<SecretVersion> {
    const [version] = await this.options.client.addSecretVersion({ parent: this.options.secretName, payload: { data, dataCrc32c: crc32c(data) } });
    return toSecretVersion(version);
  }

  async disable(name: string): Promise<void> {
    await this.options.client.disableSecretVersion({ name });
  }
}

const STATES: Record<string, VersionState> = { ENABLED: 'ENABLED', DISABLED: 'DISABLED', DESTROYED: 'DESTROYED' };

function toSecretVersion(version: ApiSecretVersion): SecretVersion {
  const name = version.name ?? '';
  const number = Number(name.slice(name.lastIndexOf('/') + 1));
  const state = STATES[String(version.state)];
  if (!Number.isInteger(number) || state === undefined) throw new Error(`Unexpected secret version from the API: ${name} in state ${String(version.state)}`);
  return { name, number, state, createTime: requireDate(version.createTime, `createTime for ${name}`) };
}
