/**
 * The Google client libraries the job uses, always over their REST transport: the transport the tests
 * exercise against local fakes is the one that runs in production. An endpoint override points a client at
 * another server (a fake, a private endpoint); an auth client replaces Application Default Credentials.
 */
import { ApiKeysClient } from '@google-cloud/apikeys';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { AuthClient } from 'google-auth-library';
import { ensureBoundKeyField } from './bound-key-field';

export interface ServiceEndpoint {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

export interface GoogleClientOptions {
  /** Credentials to send; unset: Application Default Credentials (the Cloud Run service account). */
  authClient?: AuthClient;
  apiKeysEndpoint?: ServiceEndpoint;
  secretManagerEndpoint?: ServiceEndpoint;
}

export interface GoogleClients {
  apiKeys: ApiKeysClient;
  secretManager: SecretManagerServiceClient;
  close(): Promise<void>;
}

type ClientOptions = NonNullable<ConstructorParameters<typeof ApiKeysClient>[0]>;

function transport(endpoint: ServiceEndpoint | undefined, authClient: AuthClient | undefined): ClientOptions {
  return {
    fallback: true,
    ...(endpoint === undefined ? {} : { apiEndpoint: endpoint.host, port: endpoint.port, protocol: endpoint.protocol }),
    // google-gax bundles its own google-auth-library major; both honour the `getRequestHeaders`/`fetch`
    // contract gax calls, so this project's auth clients work although their declared types differ.
    ...(authClient === undefined ? {} : { authClient: authClient as unknown as ClientOptions['authClient'] }),
  };
}

export function createGoogleClients(options: GoogleClientOptions = {}): GoogleClients {
  ensureBoundKeyField();
  const apiKeys = new ApiKeysClient(transport(options.apiKeysEndpoint, options.authClient));
  const secretManager = new SecretManagerServiceClient(transport(options.secretManagerEndpoint, options.authClient));
  return {
    apiKeys,
    secretManager,
    close: async () => {
      await Promise.all([apiKeys.close(), secretManager.close()]);
    },
  };
}
