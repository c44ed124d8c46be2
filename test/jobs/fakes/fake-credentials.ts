/**
 * Credentials for the job's Google clients in tests: an OAuth2 client holding a preset bearer token (no
 * ADC), sending with Node's own `fetch`. Under jest's VM, gaxios cannot lazily `import()` its default
 * fetch, so it is handed the global one.
 */
import { OAuth2Client } from 'google-auth-library';

export function fakeCredentials(token: string): OAuth2Client {
  const client = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return client;
}
