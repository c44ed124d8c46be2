import type { Content, Part } from '../../protocol/content';
import { GoogleApiError } from '../../protocol/errors';
import { validateMedia, type MediaLimits } from './media';

const LIMITS: MediaLimits = { maxInlineBytes: 1000, maxPdfBytes: 300, maxParts: 5 };
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const user = (...parts: Part[]): Content[] => [{ role: 'user', parts }];

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GoogleApiError);
    expect((error as GoogleApiError).httpStatus).toBe(400);
    return (error as GoogleApiError).message;
  }
  throw new Error('expected a 400');
};

test('a real PNG passes and its decoded size is counted', () => {
  expect(validateMedia(user({ inlineData: { mimeType: 'image/png', data: PNG } }), undefined, 'ai-studio', LIMITS)).toBe(Buffer.from(PNG, 'base64').length);
});

test('the limit applies to decoded bytes, not base64 length', () => {
  const data = Buffer.alloc(900).toString('base64'); // 1200 base64 characters, 900 bytes
  expect(validateMedia(user({ inlineData: { mimeType: 'audio/wav', data } }), undefined, 'ai-studio', LIMITS)).toBe(900);
  expect(messageOf(() => validateMedia(user({ inlineData: { mimeType: 'audio/wav', data: Buffer.alloc(1100).toString('base64') } }), undefined, 'ai-studio', LIMITS))).toMatch(/1100 bytes decoded; the limit is 1000/);
});

test('lying MIME types, unknown types and bad base64 are refused', () => {
  expect(messageOf(() => validateMedia(user({ inlineData: { mimeType: 'image/png', data: '/9j/4AAQSkZJRg==' } }), undefined, 'ai-studio', LIMITS))).toMatch(/declares image\/png but its bytes are not/);
  // The same JPEG in URL-safe base64 (which protobuf's JSON mapping accepts) is still a JPEG.
  expect(() => validateMedia(user({ inlineData: { mimeType: 'image/jpeg', data: '_9j_4AAQSkZJRg' } }), undefined, 'ai-studio', LIMITS)).not.toThrow();
  expect(messageOf(() => validateMedia(user({ inlineData: { mimeType: 'application/x-msdownload', data: 'TVqQ' } }), undefined, 'ai-studio', LIMITS))).toMatch(/not a supported input type/);
  expect(messageOf(() => validateMedia(user({ inlineData: { mimeType: 'audio/wav', data: 'not base64!' } }), undefined, 'ai-studio', LIMITS))).toMatch(/not valid base64/);
});

test('PDFs have their own limit', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(400)]).toString('base64');
  expect(messageOf(() => validateMedia(user({ inlineData: { mimeType: 'application/pdf', data: pdf } }), undefined, 'ai-studio', LIMITS))).toMatch(/PDF; inline PDFs are limited to 300/);
});

test('fileData URI schemes per backend; the gateway never fetches', () => {
  expect(validateMedia(user({ fileData: { fileUri: 'files/abc-123' } }), undefined, 'ai-studio', LIMITS)).toBe(0);
  expect(validateMedia(user({ fileData: { fileUri: 'gs://bucket/doc.pdf' } }), undefined, 'vertex', LIMITS)).toBe(0);
  expect(messageOf(() => validateMedia(user({ fileData: { fileUri: 'files/abc' } }), undefined, 'vertex', LIMITS))).toMatch(/gs:\/\/ or https:\/\/ for the vertex backend/);
  expect(messageOf(() => validateMedia(user({ fileData: { fileUri: 'file:///etc/passwd' } }), undefined, 'ai-studio', LIMITS))).toMatch(/fileUri must be/);
  expect(messageOf(() => validateMedia(user({ fileData: { fileUri: 'http://169.254.169.254/' } }), undefined, 'ai-studio', LIMITS))).toMatch(/fileUri must be/);
  // A Files API upload by its full URL: fine for AI Studio, unreadable by Vertex.
  const uploaded = user({ fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } });
  expect(validateMedia(uploaded, undefined, 'ai-studio', LIMITS)).toBe(0);
  expect(messageOf(() => validateMedia(uploaded, undefined, 'vertex', LIMITS))).toMatch(/Files API, which Vertex AI cannot read; upload it to Cloud Storage/);
  expect(validateMedia(user({ fileData: { fileUri: 'https://example.com/files/report.pdf' } }), undefined, 'vertex', LIMITS)).toBe(0);
});

test('the part count is capped, system instruction included', () => {
  const parts = Array.from({ length: 5 }, () => ({ text: 'x' }));
  expect(messageOf(() => validateMedia(user(...parts), { parts: [{ text: 'sys' }] }, 'ai-studio', LIMITS))).toMatch(/6 parts; at most 5/);
});
