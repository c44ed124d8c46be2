/**
 * Validate stage, multimodal part: limits on the *decoded* size of inline data (base64 inflates by a
 * third, so checking the encoded length would be wrong by 33%), a MIME allow-list per kind, bytes that
 * match the declared type where it can be told, a part-count cap, and the URI schemes each backend
 * accepts for `fileData`. The gateway never downloads a URL itself.
 */
import { decodedBase64Length, type Content, type Part } from '../../protocol/content';
import { invalidArgument } from '../../protocol/errors';
import type { BackendKind } from '../../upstream/types';

export interface MediaLimits {
  maxInlineBytes: number;
  maxPdfBytes: number;
  maxParts: number;
}

/** MIME types Gemini accepts as input (shared/reference/gemini-protocol.md §3). */
export const ALLOWED_MIME_TYPES: ReadonlySet<string> = new Set([
  'image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif', 'image/gif',
  'audio/wav', 'audio/mp3', 'audio/mpeg', 'audio/aiff', 'audio/aac', 'audio/ogg', 'audio/flac',
  'video/mp4', 'video/mpeg', 'video/mov', 'video/quicktime', 'video/avi', 'video/x-flv', 'video/mpg', 'video/webm', 'video/wmv', 'video/3gpp',
  'application/pdf', 'application/json', 'application/xml',
  'text/plain', 'text/html', 'text/css', 'text/csv', 'text/markdown', 'text/xml', 'text/rtf', 'text/javascript', 'text/x-python', 'text/x-typescript',
]);

/** The first base64 characters of each sniffable format: a declared type that disagrees is refused. */
const BASE64_SIGNATURES: Record<string, string[]> = {
  'image/png': ['iVBORw0KGgo'],
  'image/jpeg': ['/9j/'],
  'image/gif': ['R0lGODdh', 'R0lGODlh'],
  'image/webp': ['UklGR'],
  'application/pdf': ['JVBERi0'],
};

/** Standard or URL-safe base64, padded or not (what protobuf's JSON mapping accepts). */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A file uploaded with the Gemini API's Files API, by its full URL: AI Studio only. */
const GEMINI_FILES_URL = /^https:\/\/generativelanguage\.googleapis\.com\/[^/]+\/files\//;

const FILE_URI_SCHEMES: Record<BackendKind, RegExp> = {
  'ai-studio': /^(?:files\/[A-Za-z0-9_-]+$|https:\/\/|gs:\/\/)/,
  vertex: /^(?:gs:\/\/|https:\/\/)/,
};

/** What is wrong with one inline part's data, for each surface to say in its own terms and path. */
export type InlineDataProblem =
  | { kind: 'mime_type'; mimeType: string }
  | { kind: 'base64' }
  | { kind: 'not_its_type'; type: string }
  | { kind: 'pdf_size'; bytes: number; maxBytes: number };

/** Checks one part's inline data: its problem, or its decoded size. */
export function checkInlineData(inlineData: { mimeType?: string; data?: string }, limits: Pick<MediaLimits, 'maxPdfBytes'>): { problem: InlineDataProblem } | { bytes: number } {
  const { mimeType = '', data = '' } = inlineData;
  const type = mimeType.toLowerCase().split(';')[0]?.trim() ?? '';
  if (!ALLOWED_MIME_TYPES.has(type)) return { problem: { kind: 'mime_type', mimeType: mimeType.slice(0, 80) } };
  if (!BASE64.test(data)) return { problem: { kind: 'base64' } };
  const signatures = BASE64_SIGNATURES[type];
  if (signatures && data.length > 0) {
    // The signatures are in the standard alphabet; URL-safe base64 spells the same bytes with `-` and `_`.
    const head = data.slice(0, 12).replace(/-/g, '+').replace(/_/g, '/');
    if (!signatures.some((s) => head.startsWith(s))) return { problem: { kind: 'not_its_type', type } };
  }
  const bytes = decodedBase64Length(data);
  if (type === 'application/pdf' && bytes > limits.maxPdfBytes) return { problem: { kind: 'pdf_size', bytes, maxBytes: limits.maxPdfBytes } };
  return { bytes };
}

/** The part's problem as Gemini's field path names it (`contents[0].parts[1].inlineData…`). */
function describe(problem: InlineDataProblem, where: string): string {
  switch (problem.kind) {
    case 'mime_type':
      return `${where}.inlineData.mimeType ${JSON.stringify(problem.mimeType)} is not a supported input type.`;
    case 'base64':
      return `${where}.inlineData.data is not valid base64.`;
    case 'not_its_type':
      return `${where}.inlineData declares ${problem.type} but its bytes are not ${problem.type}.`;
    case 'pdf_size':
      return `${where}.inlineData is a ${problem.bytes}-byte PDF; inline PDFs are limited to ${problem.maxBytes} bytes. Upload it with the Files API and send fileData instead.`;
  }
}

function checkInline(part: Required<Pick<Part, 'inlineData'>>, where: string, limits: MediaLimits): number {
  const checked = checkInlineData(part.inlineData, limits);
  if ('problem' in checked) throw invalidArgument(describe(checked.problem, where));
  return checked.bytes;
}

/** Throws a Google 400 for the first violation; returns the total decoded inline bytes. */
export function validateMedia(contents: readonly Content[], systemInstruction: Content | undefined, backend: BackendKind, limits: MediaLimits): number {
  let parts = 0;
  let inlineBytes = 0;
  const all = systemInstruction ? [...contents, systemInstruction] : contents;
  all.forEach((content, c) => {
    (content.parts ?? []).forEach((part, p) => {
      parts++;
      const where = content === systemInstruction ? `systemInstruction.parts[${p}]` : `contents[${c}].parts[${p}]`;
      if (part.inlineData) inlineBytes += checkInline({ inlineData: part.inlineData }, where, limits);
      const uri = part.fileData?.fileUri;
      if (uri !== undefined && backend === 'vertex' && GEMINI_FILES_URL.test(uri)) {
        throw invalidArgument(`${where}.fileData.fileUri is a file of the Gemini API's Files API, which Vertex AI cannot read; upload it to Cloud Storage and send its gs:// URI.`);
      }
      if (uri !== undefined && !FILE_URI_SCHEMES[backend].test(uri)) {
        const accepted = backend === 'vertex' ? 'gs:// or https://' : 'files/…, gs:// or https://';
        throw invalidArgument(`${where}.fileData.fileUri must be ${accepted} for the ${backend} backend (got ${JSON.stringify(uri.slice(0, 40))}).`);
      }
    });
  });
  if (parts > limits.maxParts) throw invalidArgument(`The request has ${parts} parts; at most ${limits.maxParts} are accepted.`);
  if (inlineBytes > limits.maxInlineBytes) {
    throw invalidArgument(`Inline data totals ${inlineBytes} bytes decoded; the limit is ${limits.maxInlineBytes}. Use the Files API (fileData) for larger media.`);
  }
  return inlineBytes;
}
