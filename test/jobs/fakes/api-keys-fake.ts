/**
 * A local fake of the API Keys v2 REST API (apikeys.googleapis.com), limited to the methods the rotation
 * job calls, with the real API's behaviour where the job depends on it: CreateKey and DeleteKey are
 * long-running operations finished on the first GetOperation poll; caller-chosen key ids are unique and stay
 * reserved after deletion; deleted keys are listed only with `showDeleted`; the key string is only
 * available through GetKeyString; List methods page.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError, GoogleRestFake, page, type Route } from './google-rest-fake';

interface StoredKey {
  name: string;
  uid: string;
  displayName: string;
  keyString: string;
  createTime: Date;
  updateTime: Date;
  deleteTime?: Date;
  annotations: Record<string, string>;
  restrictions: unknown;
  serviceAccountEmail?: string;
  etag: string;
}

interface PendingOperation {
  name: string;
  keyName: string;
  done: boolean;
}

const KEY_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PARENT = String.raw`(projects/[^/]+/locations/[^/]+)`;
const KEY_NAME = String.raw`(projects/[^/]+/locations/[^/]+/keys/[^/:]+)`;

export class ApiKeysFake extends GoogleRestFake {
  readonly keys = new Map<string, StoredKey>();
  private readonly operations = new Map<string, PendingOperation>();
  private operationCount = 0;

  constructor(
    token: string,
    private readonly clock: () => Date,
  ) {
    super(token);
  }

  liveKeys(): StoredKey[] {
    return [...this.keys.values()].filter((k) => k.deleteTime === undefined);
  }

  protected routes(): Route[] {
    return [
      { rpc: 'CreateKey', method: 'POST', path: new RegExp(`^/v2/${PARENT}/keys$`), handle: ({ params, query, body }) => this.createKey(params[0] ?? '', query.get('keyId'), body) },
      { rpc: 'ListKeys', method: 'GET', path: new RegExp(`^/v2/${PARENT}/keys$`), handle: ({ params, query }) => this.listKeys(params[0] ?? '', query) },
      { rpc: 'GetKeyString', method: 'GET', path: new RegExp(`^/v2/${KEY_NAME}/keyString$`), handle: ({ params }) => ({ keyString: this.liveKey(params[0] ?? '').keyString }) },
      { rpc: 'GetKey', method: 'GET', path: new RegExp(`^/v2/${KEY_NAME}$`), handle: ({ params }) => toJson(this.liveKey(params[0] ?? '')) },
      { rpc: 'DeleteKey', method: 'DELETE', path: new RegExp(`^/v2/${KEY_NAME}$`), handle: ({ params }) => this.deleteKey(params[0] ?? '') },
      { rpc: 'GetOperation', method: 'GET', path: /^\/v2\/(operations\/[^/]+)$/, handle: ({ params }) => this.getOperation(params[0] ?? '') },
    ];
  }

  private createKey(parent: string, keyId: string | null, body: unknown): unknown {
    const id = keyId ?? randomUUID();
    if (!KEY_ID.test(id)) throw new ApiError(400, `Invalid key id: ${id}`);
    const name = `${parent}/keys/${id}`;
    if (this.keys.has(name)) throw new ApiError(409, `Key ${name} already exists.`);
    const request = (body ?? {}) as { displayName?: string; annotations?: Record<string, string>; restrictions?: unknown; serviceAccountEmail?: string };
    const now = this.clock();
    this.keys.set(name, {
      name,
      uid: randomUUID(),
      displayName: request.displayName ?? '',
      // Auth keys bound to a service account start with `AQ.`.
      keyString: `${request.serviceAccountEmail ? 'AQ.' : 'AIza'}${randomBytes(27).toString('base64url')}`,
      createTime: now,
      updateTime: now,
      annotations: request.annotations ?? {},
      restrictions: request.restrictions,
      ...(request.serviceAccountEmail ? { serviceAccountEmail: request.serviceAccountEmail } : {}),
      etag: `W/"${randomUUID()}"`,
    });
    return this.startOperation(name);
  }

  private listKeys(parent: string, query: URLSearchParams): unknown {
    const showDeleted = query.get('showDeleted') === 'true';
    const matching = [...this.keys.values()].filter((k) => k.name.startsWith(`${parent}/keys/`) && (showDeleted || k.deleteTime === undefined));
    const { items, nextPageToken } = page(matching, query, 2);
    return { keys: items.map(toJson), ...(nextPageToken ? { nextPageToken } : {}) };
  }

  private deleteKey(name: string): unknown {
    const key = this.liveKey(name);
    key.deleteTime = this.clock();
    key.updateTime = key.deleteTime;
    return this.startOperation(name);
  }

  private liveKey(name: string): StoredKey {
    const key = this.keys.get(name);
    if (key === undefined || key.deleteTime !== undefined) throw new ApiError(404, `Key ${name} not found.`);
    return key;
  }

  private startOperation(keyName: string): unknown {
    const name = `operations/akmf.p7-${++this.operationCount}`;
    this.operations.set(name, { name, keyName, done: false });
    return { name, metadata: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
  }

  private getOperation(name: string): unknown {
    const operation = this.operations.get(name);
    if (operation === undefined) throw new ApiError(404, `Operation ${name} not found.`);
    operation.done = true;
    const key = this.keys.get(operation.keyName);
    if (key === undefined) throw new ApiError(404, `Key ${operation.keyName} not found.`);
    return { name, done: true, response: { '@type': 'type.googleapis.com/google.api.apikeys.v2.Key', ...toJson(key) } };
  }
}

function toJson(key: StoredKey): Record<string, unknown> {
  return {
    name: key.name,
    uid: key.uid,
    displayName: key.displayName,
    createTime: key.createTime.toISOString(),
    updateTime: key.updateTime.toISOString(),
    ...(key.deleteTime ? { deleteTime: key.deleteTime.toISOString() } : {}),
    annotations: key.annotations,
    ...(key.restrictions ? { restrictions: key.restrictions } : {}),
    ...(key.serviceAccountEmail ? { serviceAccountEmail: key.serviceAccountEmail } : {}),
    etag: key.etag,
  };
}
