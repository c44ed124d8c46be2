/**
 * The rotation job wired like production (the real Google client libraries over REST, the real stores,
 * the HTTP surface) against the local API fakes, with one manual clock shared by the fakes and the job,
 * and every log line captured so tests can check what was (not) logged.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '../../service/telemetry/logger';
import { createGoogleClients, type GoogleClients } from '../../service/jobs/google-clients';
import { GoogleApiKeyStore } from '../../service/jobs/google-api-key-store';
import { GoogleSecretVersionStore } from '../../service/jobs/google-secret-version-store';
import { KeyRotation } from '../../service/jobs/key-rotation';
import { rotationJobApp } from '../../service/jobs/server';
import { fakeCredentials } from './fakes/fake-credentials';
import { ApiKeysFake } from './fakes/api-keys-fake';
import { SecretManagerFake } from './fakes/secret-manager-fake';

export const PROJECT = 'example-gemini-gw-dev';
export const SECRET_NAME = `projects/${PROJECT}/secrets/gemini-gw-gemini-api-key`;
/** Secret Manager names the project by number in its notifications. */
export const NOTIFIED_SECRET_NAME = 'projects/123456789012/secrets/gemini-gw-gemini-api-key';
export const BOUND_ACCOUNT = `gemini-gw-runtime@${PROJECT}.iam.gserviceaccount.com`;
export const GRACE_MS = 60 * 60 * 1000;
const TOKEN = 'rotation-test-token';

export class ManualClock {
  constructor(private current = new Date('2026-11-22T10:00:00Z')) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface RotationHarness {
  clock: ManualClock;
  apiKeys: ApiKeysFake;
  secrets: SecretManagerFake;
  rotation: KeyRotation;
  clients: GoogleClients;
  keyStore: GoogleApiKeyStore;
  /** Base URL of the job's HTTP server. */
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startRotationHarness(): Promise<RotationHarness> {
  const clock = new ManualClock();
  const apiKeys = new ApiKeysFake(TOKEN, clock.now);
  const secrets = new SecretManagerFake(TOKEN, SECRET_NAME, clock.now);
  const [apiKeysEndpoint, secretManagerEndpoint] = await Promise.all([apiKeys.start(), secrets.start()]);
  const clients: GoogleClients = createGoogleClients({ authClient: fakeCredentials(TOKEN), apiKeysEndpoint, secretManagerEndpoint });

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const keyStore = new GoogleApiKeyStore({ client: clients.apiKeys, project: PROJECT, secretName: SECRET_NAME, boundServiceAccount: BOUND_ACCOUNT });
  const rotation = new KeyRotation({
    secretName: SECRET_NAME,
    keys: keyStore,
    versions: new GoogleSecretVersionStore({ client: clients.secretManager, secretName: SECRET_NAME }),
    graceMs: GRACE_MS,
    logger,
    now: clock.now,
  });
  const server: Server = await new Promise((resolve) => {
    const s = rotationJobApp(rotation, logger).listen(0, '127.0.0.1', () => resolve(s));
  });

  return {
    clock,
    apiKeys,
    secrets,
    rotation,
    clients,
    keyStore,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logs,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await clients.close();
      await Promise.all([apiKeys.stop(), secrets.stop()]);
    },
  };
}

/** A Pub/Sub push request body carrying a Secret Manager notification, as Pub/Sub sends it. */
export function pushBody(messageId: string, publishTime: Date, eventType = 'SECRET_ROTATE', secretId = NOTIFIED_SECRET_NAME): unknown {
  const publish = publishTime.toISOString();
  return {
    message: {
      attributes: { eventType, secretId, dataFormat: 'JSON', timestamp: publish },
      data: Buffer.from(JSON.stringify({ name: secretId })).toString('base64'),
      messageId,
      message_id: messageId,
      publishTime: publish,
      publish_time: publish,
    },
    subscription: `projects/${PROJECT}/subscriptions/gemini-gw-gemini-api-key-rotation`,
  };
}

export async function post(url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const text = await response.text();
  return { status: response.status, json: text.length > 0 ? (JSON.parse(text) as unknown) : undefined };
}
