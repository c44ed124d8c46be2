/**
 * A local fake of the Secret Manager v1 REST API (secretmanager.googleapis.com) for one secret, limited to
 * the methods the rotation job calls, with the real API's behaviour where the job depends on it: versions
 * are numbered from 1 and listed newest first; `latest` names the most recently created version; a disabled
 * or destroyed version cannot be accessed (FAILED_PRECONDITION); a payload whose `dataCrc32c` does not match
 * is rejected; enums come back as numbers when the client asks (`enum-encoding=int`).
 */
import { crc32c } from '../../../service/jobs/crc32c';
import { ApiError, GoogleRestFake, page, wantsIntEnums, type Route } from './google-rest-fake';

type State = 'ENABLED' | 'DISABLED' | 'DESTROYED';
const STATE_NUMBERS: Record<State, number> = { ENABLED: 1, DISABLED: 2, DESTROYED: 3 };

export interface StoredVersion {
  name: string;
  number: number;
  state: State;
  createTime: Date;
  data: Buffer;
}

const SECRET = String.raw`(projects/[^/]+/secrets/[^/:]+)`;
const VERSION = String.raw`(projects/[^/]+/secrets/[^/]+/versions/[^/:]+)`;

export class SecretManagerFake extends GoogleRestFake {
  readonly versions: StoredVersion[] = [];
  /** Makes AccessSecretVersion answer with a wrong checksum, as a payload damaged in transit would. */
  corruptChecksums = false;

  constructor(
    token: string,
    readonly secretName: string,
    private readonly clock: () => Date,
  ) {
    super(token);
  }

  /** Adds a version directly, as Terraform's bootstrap placeholder or an operator would. */
  seed(data: string): StoredVersion {
    return this.store(Buffer.from(data, 'utf8'));
  }

  enabledPayloads(): string[] {
    return this.versions.filter((v) => v.state === 'ENABLED').map((v) => v.data.toString('utf8'));
  }

  protected routes(): Route[] {
    return [
      { rpc: 'AddSecretVersion', method: 'POST', path: new RegExp(`^/v1/${SECRET}:addVersion$`), handle: ({ params, query, body }) => this.addVersion(params[0] ?? '', query, body) },
      { rpc: 'ListSecretVersions', method: 'GET', path: new RegExp(`^/v1/${SECRET}/versions$`), handle: ({ params, query }) => this.listVersions(params[0] ?? '', query) },
      { rpc: 'AccessSecretVersion', method: 'GET', path: new RegExp(`^/v1/${VERSION}:access$`), handle: ({ params }) => this.access(params[0] ?? '') },
      { rpc: 'DisableSecretVersion', method: 'POST', path: new RegExp(`^/v1/${VERSION}:disable$`), handle: ({ params, query }) => this.disable(params[0] ?? '', query) },
    ];
  }

  private addVersion(secret: string, query: URLSearchParams, body: unknown): unknown {
    this.requireSecret(secret);
    const payload = (body as { payload?: { data?: string; dataCrc32c?: string | number } } | undefined)?.payload;
    if (payload?.data === undefined) throw new ApiError(400, 'Payload data is required.');
    const data = Buffer.from(payload.data, 'base64');
    if (payload.dataCrc32c !== undefined && Number(payload.dataCrc32c) !== crc32c(data)) throw new ApiError(400, 'Checksum mismatch: the payload was corrupted in transit.');
    return toJson(this.store(data), query);
  }

  private listVersions(secret: string, query: URLSearchParams): unknown {
    this.requireSecret(secret);
    const newestFirst = [...this.versions].sort((a, b) => b.number - a.number);
    const { items, nextPageToken } = page(newestFirst, query, 2);
    return { versions: items.map((v) => toJson(v, query)), totalSize: this.versions.length, ...(nextPageToken ? { nextPageToken } : {}) };
  }

  private access(name: string): unknown {
    const version = this.find(name);
    if (version.state !== 'ENABLED') throw new ApiError(400, `${version.name} is in ${version.state} state.`, 'FAILED_PRECONDITION');
    const checksum = crc32c(version.data) ^ (this.corruptChecksums ? 1 : 0);
    return { name: version.name, payload: { data: version.data.toString('base64'), dataCrc32c: String(checksum >>> 0) } };
  }

  private disable(name: string, query: URLSearchParams): unknown {
    const version = this.find(name);
    if (version.state === 'DESTROYED') throw new ApiError(400, `${version.name} is destroyed.`, 'FAILED_PRECONDITION');
    version.state = 'DISABLED';
    return toJson(version, query);
  }

  private store(data: Buffer): StoredVersion {
    const number = this.versions.length + 1;
    const version: StoredVersion = { name: `${this.secretName}/versions/${number}`, number, state: 'ENABLED', createTime: this.clock(), data };
    this.versions.push(version);
    return version;
  }

  private find(name: string): StoredVersion {
    const [secret, id] = name.split('/versions/');
    this.requireSecret(secret ?? '');
    const version = id === 'latest' ? this.versions.at(-1) : this.versions.find((v) => String(v.number) === id);
    if (version === undefined) throw new ApiError(404, `Secret Version [${name}] not found.`);
    return version;
  }

  private requireSecret(secret: string): void {
    if (secret !== this.secretName) throw new ApiError(404, `Secret [${secret}] not found or has no versions.`);
  }
}

function toJson(version: StoredVersion, query: URLSearchParams): unknown {
  return {
    name: version.name,
    createTime: version.createTime.toISOString(),
    state: wantsIntEnums(query) ? STATE_NUMBERS[version.state] : version.state,
    replicationStatus: { automatic: {} },
    etag: `"${version.number}-${version.state}"`,
    clientSpecifiedPayloadChecksum: true,
  };
}
