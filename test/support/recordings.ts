/**
 * Real Gemini traffic recorded by Google's SDK test suite (shared/fixtures/gemini-recordings), and a replay
 * upstream that answers each recorded request with its recorded response, framed as Google framed it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const RECORDINGS_DIR = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'gemini-recordings');

export interface RecordedInteraction {
  file: string;
  method: string;
  url: string;
  requestBody: unknown;
  statusCode: number;
  contentType: string;
  responseSegments: unknown[];
}

interface RecordingFile {
  interactions: Array<{
    request: { method: string; url: string; bodySegments?: unknown[] };
    response: { statusCode: number; headers: Record<string, string>; bodySegments?: unknown[] };
  }>;
}

export function loadRecordings(): RecordedInteraction[] {
  const out: RecordedInteraction[] = [];
  for (const file of readdirSync(RECORDINGS_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const recording = JSON.parse(readFileSync(join(RECORDINGS_DIR, file), 'utf8')) as RecordingFile;
    for (const { request, response } of recording.interactions) {
      out.push({
        file,
        method: request.method,
        url: request.url,
        requestBody: request.bodySegments?.[0] ?? {},
        statusCode: response.statusCode,
        contentType: response.headers['Content-Type'] ?? 'application/json',
        responseSegments: response.bodySegments ?? [],
      });
    }
  }
  return out;
}

/** The recorded path with a Vertex project/location removed: the gateway substitutes its own. */
export function replayKey(method: string, url: string, body: unknown): string {
  const path = url.replace(/^\/(v1beta1|v1)\/projects\/[^/]+\/locations\/[^/]+\//, '/$1/');
  return `${method} ${path} ${JSON.stringify(body)}`;
}

/** Google frames SSE events with CRLF; the replay does too, so the gateway's re-framing is exercised. */
export function recordedWireBody(interaction: RecordedInteraction): string {
  if (interaction.url.includes(':streamGenerateContent')) {
    return interaction.responseSegments.map((s) => `data: ${JSON.stringify(s)}\r\n\r\n`).join('');
  }
  return JSON.stringify(interaction.responseSegments[0] ?? {});
}

export async function startReplayUpstream(interactions: RecordedInteraction[]): Promise<{ url: string; server: Server; misses: string[] }> {
  const queues = new Map<string, RecordedInteraction[]>();
  for (const i of interactions) {
    const key = replayKey(i.method, i.url, i.requestBody);
    queues.set(key, [...(queues.get(key) ?? []), i]);
  }
  const misses: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body: unknown = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const key = replayKey(req.method ?? 'GET', req.url ?? '/', body);
      const queue = queues.get(key) ?? [];
      const match = queue.length > 1 ? queue.shift() : queue[0];
      if (!match) {
        misses.push(key.slice(0, 300));
        res.writeHead(599).end();
        return;
      }
      res.writeHead(match.statusCode, { 'content-type': match.contentType });
      res.end(recordedWireBody(match));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, misses };
}
