/** An OAuth2 client holding a preset access token: Vertex mode without ADC, as the SDK itself allows. */
import { OAuth2Client } from 'google-auth-library';

export function fakeAuthClient(token = 'test-access-token'): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return client;
}
