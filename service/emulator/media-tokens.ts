/**
 * What the emulator bills for a prompt, media by URI included. Gemini bills media by their length: about
 * 263 tokens per second of video (Google's figure at the default resolution, sound included), 32 per
 * second of audio, 258 per PDF page. A request names such a file only by its URI (`fileData`), so the emulator's
 * files have the length their name gives: `lecture-3600s.mp4` is an hour of video, `report-40p.pdf` forty
 * pages. A name without one stands for a minute of video or audio, or ten pages. An hour of video then
 * costs what it costs at Google (947K tokens) and not the 258 an image does, which is all the gateway can
 * guess from a URI without asking.
 */
import { estimateContentsTokens, estimatePartTokens, TOKENS_PER_IMAGE, type Content, type Part } from '../protocol/content';

export const VIDEO_TOKENS_PER_SECOND = 263;
export const AUDIO_TOKENS_PER_SECOND = 32;
const DEFAULT_SECONDS = 60;
const DEFAULT_PAGES = 10;

/** The number before `suffix` at the end of a file's name (before its extension), e.g. `3600` in `a-3600s.mp4`. */
function lengthIn(uri: string, suffix: 's' | 'p'): number | undefined {
  const match = new RegExp(`[-_](\\d+)${suffix}(?:\\.[a-z0-9]+)?$`, 'i').exec(uri);
  return match ? Number(match[1]) : undefined;
}

/** The tokens one file named by URI is billed, from its media type and the length its name gives. */
export function fileTokens(file: { mimeType?: string; fileUri?: string }): number {
  const uri = file.fileUri ?? '';
  const type = file.mimeType ?? '';
  if (type.startsWith('video/')) return VIDEO_TOKENS_PER_SECOND * (lengthIn(uri, 's') ?? DEFAULT_SECONDS);
  if (type.startsWith('audio/')) return AUDIO_TOKENS_PER_SECOND * (lengthIn(uri, 's') ?? DEFAULT_SECONDS);
  if (type === 'application/pdf') return TOKENS_PER_IMAGE * (lengthIn(uri, 'p') ?? DEFAULT_PAGES);
  return TOKENS_PER_IMAGE;
}

export function billedPartTokens(part: Part): number {
  return part.fileData && !part.inlineData ? fileTokens(part.fileData) : estimatePartTokens(part);
}

export function billedContentsTokens(contents: readonly Content[] | undefined): number {
  return estimateContentsTokens(contents, billedPartTokens);
}
