/**
 * The rotation of the gateway's Gemini API key, as two idempotent steps over what Google already stores
 * (no state of its own, so a redelivered or retried message converges instead of doubling anything):
 *
 * - `rotate` (on SECRET_ROTATE): create a key bound to the runtime service account and restricted to the
 *   Gemini API, whose id is derived from the Pub/Sub message id (a redelivery finds it instead of making a
 *   second key), then publish its string as a new secret version unless the newest version already holds it.
 * - `retire` (on a schedule): once the newest version is older than the grace period, disable every older
 *   enabled version and delete every key the job made that is not the newest version's, except keys younger
 *   than the grace period (a rotation may be between creating and publishing one).
 *
 * Key strings are compared by SHA-256 digest and never logged or returned.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { SECRET_ROTATE, secretIdOf, type SecretEvent } from './secret-event';

export const GEMINI_API_SERVICE = 'generativelanguage.googleapis.com';

export interface ManagedKey {
  /** `projects/<project>/locations/global/keys/<key-id>` */
  name: string;
  rotationId: string;
  createTime: Date;
  /** Set once deleted: deleted keys stay listed (and their ids reserved) for 30 days. */
  deleteTime?: Date;
}

export interface NewKey {
  keyId: string;
  displayName: string;
  rotationId: string;
}

/** The API keys this job manages for one secret. */
export interface ApiKeyStore {
  /** Keys made for the secret, deleted ones included. */
  listManaged(): Promise<ManagedKey[]>;
  /** Creates a bound, restricted key; when `keyId` is taken (a redelivered message) returns that key. */
  create(key: NewKey): Promise<ManagedKey>;
  keyString(name: string): Promise<string>;
  delete(name: string): Promise<void>;
}

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

export interface SecretVersion {
  /** `projects/<project>/secrets/<id>/versions/<number>` */
  name: string;
  number: number;
  state: VersionState;
  createTime: Date;
}

/** The versions of the secret the gateway mounts. */
export interface SecretVersionStore {
  list(): Promise<SecretVersion[]>;
  access(name: string): Promise<Buffer>;
  add(data: Buffer): Promise<SecretVersion>;
  disable(name: string): Promise<void>;
}

export type RotationOutcome =
  | { outcome: 'rotated'; keyName: string; version: string }
  | { outcome: 'already-published'; keyName: string; version: string }
  | { outcome: 'already-retired'; keyName: string }
  | { outcome: 'superseded'; by: string }
  | { outcome: 'ignored'; reason: string };

export type RetirementOutcome =
  | { outcome: 'nothing-published' }
  | { outcome: 'in-grace'; current: string; retireAfter: Date }
  | { outcome: 'retired'; current: string; disabledVersions: string[]; deletedKeys: string[] };

export interface KeyRotationOptions {
  /** The secret the gateway mounts, `projects/<project>/secrets/<id>`. */
  secretName: string;
  keys: ApiKeyStore;
  versions: SecretVersionStore;
  graceMs: number;
  logger: Logger;
  now?: () => Date;
}

export class KeyRotation {
  private readonly now: () => Date;
  /** One operation at a time: rotate and retire read, then act on, the same keys and versions. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: KeyRotationOptions) {
    this.now = options.now ?? (() => new Date());
  }

  rotate(event: SecretEvent): Promise<RotationOutcome> {
    return this.serialized(() => this.rotateNow(event));
  }

  retire(): Promise<RetirementOutcome> {
    return this.serialized(() => this.retireNow());
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rotateNow(event: SecretEvent): Promise<RotationOutcome> {
    const { keys, versions, secretName, logger } = this.options;
    const log = logger.child({ rotationId: event.messageId });
    if (event.eventType !== SECRET_ROTATE) return this.ignored(log, `event ${event.eventType} is not ${SECRET_ROTATE}`);
    if (secretIdOf(event.secretName) !== secretIdOf(secretName)) return this.ignored(log, `event for secret ${event.secretName}, not ${secretName}`);

    const managed = await keys.listManaged();
    let own = managed.find((k) => k.rotationId === event.messageId);
    if (own?.deleteTime !== undefined) {
      log.info({ keyName: own.name }, 'rotation already completed and its key retired');
      return { outcome: 'already-retired', keyName: own.name };
    }
    const newer = newestKey(managed.filter((k) => k !== own && k.createTime > (own?.createTime ?? event.publishTime)));
    if (newer !== undefined) {
      log.info({ newerKey: newer.name }, 'a later rotation already made a newer key: nothing to do');
      return { outcome: 'superseded', by: newer.name };
    }
    if (own === undefined) {
      own = await keys.create({ keyId: keyIdFor(secretName, event.messageId), displayName: displayNameFor(event.messageId), rotationId: event.messageId });
      log.info({ keyName: own.name }, 'created a new Gemini API key');
    }

    const keyString = await keys.keyString(own.name);
    const newest = newestEnabled(await versions.list());
    if (newest !== undefined && sameDigest(sha256(await versions.access(newest.name)), sha256(keyString))) {
      log.info({ keyName: own.name, version: newest.name }, 'key already published (redelivered message)');
      return { outcome: 'already-published', keyName: own.name, version: newest.name };
    }
    const added = await versions.add(Buffer.from(keyString, 'utf8'));
    log.info({ keyName: own.name, version: added.name }, 'published the new key as a secret version');
    return { outcome: 'rotated', keyName: own.name, version: added.name };
  }

  private async retireNow(): Promise<RetirementOutcome> {
    const { keys, versions, graceMs, logger } = this.options;
    const now = this.now();
    const enabled = (await versions.list()).filter((v) => v.state === 'ENABLED').sort((a, b) => b.number - a.number);
    const [current, ...older] = enabled;
    if (current === undefined) return { outcome: 'nothing-published' };
    const retireAfter = new Date(current.createTime.getTime() + graceMs);
    if (now < retireAfter) return { outcome: 'in-grace', current: current.name, retireAfter };

    const currentDigest = sha256(await versions.access(current.name));
    const disabledVersions: string[] = [];
    for (const version of older) {
      await versions.disable(version.name);
      disabledVersions.push(version.name);
    }
    const deletedKeys: string[] = [];
    for (const key of await keys.listManaged()) {
      if (key.deleteTime !== undefined) continue;
      if (now.getTime() - key.createTime.getTime() < graceMs) continue;
      // Made after the version serving now: a rotation whose version is not published yet (Secret Manager
      // refusing it, say). Deleting its key would make its redelivered message look done, and lose it.
      if (key.createTime > current.createTime) continue;
      if (sameDigest(sha256(await keys.keyString(key.name)), currentDigest)) continue;
      await keys.delete(key.name);
      deletedKeys.push(key.name);
    }
    if (disabledVersions.length > 0 || deletedKeys.length > 0) logger.info({ current: current.name, disabledVersions, deletedKeys }, 'retired previous Gemini API keys');
    return { outcome: 'retired', current: current.name, disabledVersions, deletedKeys };
  }

  private ignored(log: Logger, reason: string): RotationOutcome {
    log.warn({ reason }, 'ignored a secret event');
    return { outcome: 'ignored', reason };
  }
}

/**
 * Key ids are chosen by the job so that a redelivered message finds its key: `<secret id>-<16 hex digits of
 * sha256(secret id, message id)>`, within the API's 63 lowercase characters starting with a letter.
 */
export function keyIdFor(secretName: string, rotationId: string): string {
  const secretId = secretIdOf(secretName);
  const base = secretId.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 40).replace(/-+$/, '');
  const hash = createHash('sha256').update(`${secretId}\n${rotationId}`).digest('hex').slice(0, 16);
  return `${base || 'key'}-${hash}`;
}

function displayNameFor(rotationId: string): string {
  return `Gemini gateway key, rotation ${rotationId}`.slice(0, 63);
}

function newestKey(keys: readonly ManagedKey[]): ManagedKey | undefined {
  return keys.reduce<ManagedKey | undefined>((best, k) => (best === undefined || k.createTime > best.createTime ? k : best), undefined);
}

function newestEnabled(versions: readonly SecretVersion[]): SecretVersion | undefined {
  return versions.filter((v) => v.state === 'ENABLED').reduce<SecretVersion | undefined>((best, v) => (best === undefined || v.number > best.number ? v : best), undefined);
}

function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

function sameDigest(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
