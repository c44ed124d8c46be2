/**
 * The two framings Google uses for `:streamGenerateContent`, and a splitter that turns an upstream SSE byte
 * stream back into events.
 *
 * With `?alt=sse` every event is exactly `data: <one-line JSON>\n\n`: no comments, no `event:` lines, no
 * `[DONE]` (the legacy SDK throws on any of those). Without `alt=sse`, Google streams one JSON array whose
 * elements arrive as they are produced.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';

export type StreamFraming = 'sse' | 'json-array';

export const SSE_CONTENT_TYPE = 'text/event-stream';
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

/** A query parameter's value; a repeated one counts by its first. */
const firstOf = (value: unknown): unknown => (Array.isArray(value) ? (value as unknown[])[0] : value);

/** From `alt`, or `$alt`: Google takes both spellings of the system parameter. */
export function framingFor(query: { alt?: unknown; $alt?: unknown }): StreamFraming {
  return (firstOf(query.alt) ?? firstOf(query.$alt)) === 'sse' ? 'sse' : 'json-array';
}

/** A stream event that is an error (`{"error":…}`), as Google ends a stream that failed midway. */
export function isErrorEvent(event: string): boolean {
  return event.startsWith('{"error"');
}

const FINISH_REASON = /"finishReason"\s*:/;

/** A stream event that finishes an answer: it gives a candidate's finish reason (`STOP`, `MAX_TOKENS`, …). */
export function isFinishingEvent(event: string): boolean {
  return FINISH_REASON.test(event);
}

/**
 * Whether a stream that ended cleanly with `lastEvent` stopped in the middle of an answer: the event carries
 * candidates but no finish reason. Gemini's last event of an answer always gives one; a blocked prompt
 * (`promptFeedback`, no candidates) and an event of usage only do not, and are whole.
 */
export function endsMidAnswer(lastEvent: string): boolean {
  return lastEvent.includes('"candidates"') && !isFinishingEvent(lastEvent);
}

/** A response candidate's index: its `index`, or else its position among the event's candidates. */
export function candidateIndexOf(candidate: { index?: unknown } | null | undefined, position: number): number {
  const index = candidate?.index;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : position;
}

/**
 * Which candidates of a stream have finished, for a request that asked for several (`candidateCount`): they
 * finish in different events, so its last event cannot tell whether the stream is whole. It reads every
 * event, which a stream of one candidate never needs.
 */
export class CandidateFinishes {
  private readonly seen = new Set<number>();
  private readonly finished = new Set<number>();

  note(event: string): void {
    let parsed: { candidates?: unknown };
    try {
      parsed = JSON.parse(event) as { candidates?: unknown };
    } catch {
      return;
    }
    if (!Array.isArray(parsed.candidates)) return;
    (parsed.candidates as Array<{ index?: unknown; finishReason?: unknown } | null>).forEach((candidate, position) => {
      const index = candidateIndexOf(candidate, position);
      this.seen.add(index);
      // A candidate that goes on after a finish reason (Gemini's server-side tools do) is not finished yet.
      if (typeof candidate?.finishReason === 'string') this.finished.add(index);
      else this.finished.delete(index);
    });
  }

  /** Whether a candidate began and never gave its finish reason: the stream stopped in the middle of it. */
  get endsMidAnswer(): boolean {
    for (const index of this.seen) if (!this.finished.has(index)) return true;
    return false;
  }
}

export function contentTypeFor(framing: StreamFraming): string {
  return framing === 'sse' ? SSE_CONTENT_TYPE : JSON_CONTENT_TYPE;
}

/** Writes events in one framing. `event` takes one JSON document serialised on one line. */
export class StreamEncoder {
  private eventsWritten = 0;

  constructor(readonly framing: StreamFraming) {}

  event(json: string): string {
    const index = this.eventsWritten++;
    if (this.framing === 'sse') return `data: ${json}\n\n`;
    return index === 0 ? `[${json}` : `,\r\n${json}`;
  }

  /** What closes the stream: nothing for SSE, the closing bracket (or an empty array) for JSON. */
  end(): string {
    if (this.framing === 'sse') return '';
    return this.eventsWritten === 0 ? '[]' : ']';
  }

  get count(): number {
    return this.eventsWritten;
  }
}

/** Feeds raw upstream bytes, hands out each complete event's data (tolerates `\r\n` and split chunks). */
export class SseSplitter {
  private readonly decoder = new TextDecoder();
  private readonly parser: EventSourceParser;
  private pending: string[] = [];

  constructor() {
    this.parser = createParser({ onEvent: (event) => this.pending.push(event.data) });
  }

  /** Returns the events completed by this chunk, in order. */
  push(chunk: Uint8Array): string[] {
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    return this.drain();
  }

  /** Flushes a final event that lacked its blank line. */
  finish(): string[] {
    this.parser.feed(this.decoder.decode() + '\n\n');
    return this.drain();
  }

  private drain(): string[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }
}
