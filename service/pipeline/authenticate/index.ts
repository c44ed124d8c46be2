/**
 * Authenticate stage: who is calling. Team keys (from `x-goog-api-key`, `?key=` or `Authorization: Bearer`)
 * are checked against SHA-256 hashes from the configuration — the keys themselves are never stored. Behind
 * IAM, the identity comes from a header the platform verified. Locally, one open "local" caller.
 */
import { hash } from 'node:crypto';
import { callerSchema, normaliseIdentity, type CallerPolicy } from '../../config/policy';
import type { AuthMode } from '../../config/load';
import { ERROR_INFO_TYPE, GoogleApiError } from '../../protocol/errors';

export interface Credentials {
  apiKey?: string;
  bearer?: string;
  /** The verified identity header's value (iam mode). */
  identity?: string;
}

export interface Caller {
  id: string;
  policy: CallerPolicy;
}

export interface AuthenticateOptions {
  mode: AuthMode;
  callers: readonly CallerPolicy[];
}

export const LOCAL_CALLER: Caller = { id: 'local', policy: callerSchema.parse({ id: 'local' }) };

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

const missingCredentials = (what: string): GoogleApiError =>
  new GoogleApiError(401, `Request is missing ${what}.`, { details: [{ '@type': ERROR_INFO_TYPE, reason: 'CREDENTIALS_MISSING', domain: 'gemini-gateway' }] });

const rejected = (message: string, reason: string): GoogleApiError =>
  new GoogleApiError(403, message, { details: [{ '@type': ERROR_INFO_TYPE, reason, domain: 'gemini-gateway' }] });

export function createAuthenticate(options: AuthenticateOptions): (credentials: Credentials) => Caller {
  const byKeyHash = new Map<string, Caller>();
  const byIdentity = new Map<string, Caller>();
  for (const policy of options.callers) {
    const caller = { id: policy.id, policy };
    for (const hash of policy.keySha256) byKeyHash.set(hash, caller);
    for (const identity of policy.identities) byIdentity.set(normaliseIdentity(identity), caller);
  }

  return function authenticate(credentials: Credentials): Caller {
    switch (options.mode) {
      case 'open':
        return LOCAL_CALLER;
      case 'iam': {
        if (!credentials.identity) throw missingCredentials('a verified identity (is the gateway behind IAP?)');
        const caller = byIdentity.get(normaliseIdentity(credentials.identity));
        if (!caller) throw rejected('The caller identity is not registered with the gateway.', 'IDENTITY_NOT_REGISTERED');
        return caller;
      }
      case 'keys': {
        const key = credentials.apiKey ?? credentials.bearer;
        if (!key) throw missingCredentials('an API key: send your team key in the x-goog-api-key header');
        const caller = byKeyHash.get(sha256Hex(key));
        if (!caller) throw rejected('API key not valid. Please pass a valid gateway key.', 'API_KEY_INVALID');
        return caller;
      }
    }
  };
}
