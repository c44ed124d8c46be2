/**
 * Steady Gemini traffic against a gateway, for end-to-end alert tests and game days: a few workers each
 * sending `generateContent` calls with a distinct prompt (so the response cache never answers), counting
 * the statuses they get back.
 */
export interface TrafficOptions {
  /** Parallel workers. Default 4. */
  concurrency?: number;
  /** Pause after each request, per worker, in ms. Default 50. */
  pauseMs?: number;
  model?: string;
  /** Share of requests sent as `streamGenerateContent` (0..1). Default 0. */
  streamShare?: number;
}

export interface Traffic {
  /** Requests answered so far, by HTTP status (0: no answer). */
  statuses(): Record<number, number>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function driveTraffic(baseUrl: string, options: TrafficOptions = {}): Traffic {
  const statuses: Record<number, number> = {};
  const model = options.model ?? 'gemini-2.5-flash';
  let running = true;
  let sequence = 0;
  const stopped = new AbortController();

  async function worker(): Promise<void> {
    while (running) {
      const stream = Math.random() < (options.streamShare ?? 0);
      const url = `${baseUrl}/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
      const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: `game day request ${sequence++}` }] }] });
      let status = 0;
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(120_000)]) });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      await sleep(options.pauseMs ?? 50);
    }
  }

  const workers = Array.from({ length: options.concurrency ?? 4 }, () => worker());
  return {
    statuses: () => ({ ...statuses }),
    stop: async () => {
      running = false;
      stopped.abort();
      await Promise.all(workers);
    },
  };
}
