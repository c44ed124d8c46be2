/**
 * `OTEL_TRACES_EXPORTER=cloud-trace`: spans go to Google's Telemetry API as OTLP protobuf, each export
 * signed with the instance's own token and naming its project. The gateway runs as a real process, getting
 * its token through Application Default Credentials from a metadata server, as on Cloud Run and GKE: here a
 * local stand-in (`GCE_METADATA_HOST`), and a local stand-in for the Telemetry API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../service/config/load';
import { CLOUD_TRACE_OTLP_URL } from '../../service/config/settings';
import { cloudTraceHeaders } from '../../service/telemetry/cloud-trace';
import { startGatewayProcess } from '../support/process';
import { postJson } from '../support/http';

const OPEN = { GATEWAY_AUTH_MODE: 'open' };
const PROJECT = 'acme-gateway-prod';
const TOKEN = 'ya29.metadata-server-token';
const SERVER_SPAN = Buffer.from('POST /v1beta/models/{model}:generateContent');

test('cloud-trace needs the project the spans are filed in, and defaults to the Telemetry API', () => {
  expect(() => loadConfig({ ...OPEN, OTEL_TRACES_EXPORTER: 'cloud-trace' })).toThrow(/OTEL_TRACES_EXPORTER=cloud-trace: needs GOOGLE_CLOUD_PROJECT/);
  expect(() => loadConfig({ ...OPEN, OTEL_TRACES_EXPORTER: 'cloud-trace' })).toThrow(ConfigError);
  expect(loadConfig({ ...OPEN, OTEL_TRACES_EXPORTER: 'cloud-trace', GOOGLE_CLOUD_PROJECT: PROJECT })).toMatchObject({ tracesExporter: 'cloud-trace', tracesEndpoint: undefined });
  expect(CLOUD_TRACE_OTLP_URL).toBe('https://telemetry.googleapis.com/v1/traces');
  expect(() => loadConfig({ ...OPEN, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
});

test('an export is signed with the token and names the project; without a token it still names the project', async () => {
  const target = { project: PROJECT, endpoint: CLOUD_TRACE_OTLP_URL };
  await expect(cloudTraceHeaders({ ...target, token: () => Promise.resolve(TOKEN) })).resolves.toEqual({ authorization: `Bearer ${TOKEN}`, 'x-goog-user-project': PROJECT });
  // Never a throw: the exporter is not built to take one from its header factory.
  await expect(cloudTraceHeaders({ ...target, token: () => Promise.reject(new Error('no credentials')) })).resolves.toEqual({ 'x-goog-user-project': PROJECT });
});

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

describe('a gateway process exporting to Cloud Trace', () => {
  const exports: Received[] = [];
  const tokenRequests: string[] = [];
  let arrived: () => void = () => undefined;
  let telemetryApi: Server;
  let metadataServer: Server;
  let sdkConfigDir: string;

  beforeAll(() => {
    telemetryApi = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        exports.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        // An empty ExportTraceServiceResponse: full success.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        arrived();
      });
    });
    metadataServer = createServer((req, res) => {
      if (req.headers['metadata-flavor'] !== 'Google') return void res.writeHead(403).end();
      if (!req.url?.startsWith('/computeMetadata/v1/instance/service-accounts/default/token')) return void res.writeHead(404, { 'metadata-flavor': 'Google' }).end();
      tokenRequests.push(req.url);
      res.writeHead(200, { 'metadata-flavor': 'Google', 'content-type': 'application/json' }).end(JSON.stringify({ access_token: TOKEN, expires_in: 3599, token_type: 'Bearer' }));
    });
    // No gcloud credentials of whoever runs the tests: the metadata server is the only source.
    sdkConfigDir = mkdtempSync(join(tmpdir(), 'gcloud-'));
  });
  afterAll(async () => {
    rmSync(sdkConfigDir, { recursive: true, force: true });
    await Promise.all([telemetryApi, metadataServer].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  // In a process of its own: the OTLP exporter loads its HTTP client with a dynamic import(), which Jest's
  // module sandbox cannot run.
  test("sends the request's spans as OTLP protobuf with the instance's token and project", async () => {
    const gateway = await startGatewayProcess({
      ...OPEN,
      OTEL_TRACES_EXPORTER: 'cloud-trace',
      GOOGLE_CLOUD_PROJECT: PROJECT,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${await listen(telemetryApi)}/v1/traces`,
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      GCE_METADATA_HOST: await listen(metadataServer),
      METADATA_SERVER_DETECTION: 'assume-present',
      CLOUDSDK_CONFIG: sdkConfigDir,
    });
    try {
      // The server span ends after the response, so it may leave in a later export than its children.
      const sent = (): Buffer => Buffer.concat(exports.map((e) => e.body));
      const exported = new Promise<void>((resolve) => (arrived = () => sent().includes(SERVER_SPAN) && resolve()));
      const response = await postJson(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] });
      expect(response.status).toBe(200);
      await exported;
      for (const request of exports) {
        expect(request).toMatchObject({ path: '/v1/traces', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${TOKEN}`, 'x-goog-user-project': PROJECT } });
        // Protobuf carries strings as they are: every export names the resource's project and service.
        for (const text of ['gcp.project_id', PROJECT, 'gemini-gateway']) expect(request.body.includes(Buffer.from(text))).toBe(true);
      }
      expect(tokenRequests.length).toBeGreaterThanOrEqual(1);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });
});
