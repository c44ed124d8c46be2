/**
 * OAuth access tokens for Vertex AI from Application Default Credentials (the service's own service account
 * on Cloud Run or GKE). google-auth-library caches a token until shortly before it expires.
 */
import { GoogleAuth, type AuthClient } from 'google-auth-library';

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface AccessTokenSource {
  token(): Promise<string>;
}

export class AdcAccessToken implements AccessTokenSource {
  private readonly auth: GoogleAuth;

  /** `authClient` replaces ADC discovery (tests, or a caller that already holds a client). */
  constructor(authClient?: AuthClient) {
    this.auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], ...(authClient ? { authClient } : {}) });
  }

  async token(): Promise<string> {
    const token = await this.auth.getAccessToken();
    if (!token) throw new Error('Application Default Credentials returned no access token.');
    return token;
  }
}
