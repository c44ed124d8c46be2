/**
 * Loose views of Gemini request content, and the token heuristic both the emulator (to fake counts) and the
 * gateway (to estimate before a call) use. Google documents about four characters per token for text and
 * 258 tokens per image; media other than images are charged by duration, which is approximated by size.
 */

export interface Part {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType?: string; data?: string };
  fileData?: { mimeType?: string; fileUri?: string };
  functionCall?: { name?: string; args?: Record<string, unknown>; id?: string };
  functionResponse?: { name?: string; response?: unknown; id?: string };
  [other: string]: unknown;
}

export interface Content {
  role?: string;
  parts?: Part[];
}

/** Candidates Gemini generates for one request at most (`generationConfig.candidateCount`). */
export const MAX_CANDIDATES = 8;
/** Stop sequences Gemini takes at most (`generationConfig.stopSequences`). */
export const MAX_STOP_SEQUENCES = 5;

export const TOKENS_PER_IMAGE = 258;
const CHARS_PER_TOKEN = 4;
const MEDIA_BYTES_PER_TOKEN = 400;

/** Bytes a base64 string decodes to, without decoding it. */
export function decodedBase64Length(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

export function estimateTextTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimatePartTokens(part: Part): number {
  if (typeof part.text === 'string') return estimateTextTokens(part.text);
  const media = part.inlineData ?? part.fileData;
  if (media) {
    if (media.mimeType?.startsWith('image/')) return TOKENS_PER_IMAGE;
    const bytes = part.inlineData?.data ? decodedBase64Length(part.inlineData.data) : 0;
    return Math.max(TOKENS_PER_IMAGE, Math.ceil(bytes / MEDIA_BYTES_PER_TOKEN));
  }
  if (part.functionCall || part.functionResponse) {
    return estimateTextTokens(JSON.stringify(part.functionCall ?? part.functionResponse));
  }
  return 0;
}

/** The tokens of every part of `contents`, each counted by `partTokens` (the estimate by default). */
export function estimateContentsTokens(contents: readonly Content[] | undefined, partTokens: (part: Part) => number = estimatePartTokens): number {
  let total = 0;
  for (const content of contents ?? []) for (const part of content.parts ?? []) total += partTokens(part);
  return total;
}

/** The text of every text part, in order, joined by a newline. */
export function textOf(contents: readonly Content[] | undefined): string {
  const texts: string[] = [];
  for (const content of contents ?? []) {
    for (const part of content.parts ?? []) if (typeof part.text === 'string' && part.thought !== true) texts.push(part.text);
  }
  return texts.join('\n');
}
