/**
 * Citations between the dialects. A candidate's sources are `citationMetadata.citationSources` in the
 * Gemini API and `citationMetadata.citations` in Vertex (the entries alike: indexes, URI, license; Vertex
 * adds title and date). Each SDK reads only its own name, so an answer from the other upstream would lose
 * its citations without a word: they are renamed for the caller's dialect, in a unary answer and in each
 * stream event. An answer without citations is handed on untouched, unparsed.
 */

import { jsonRewrite } from './json-rewrite';
import type { AnswerRewrite } from './types';

function renameCitations(from: string, to: string): AnswerRewrite {
  const marker = `"${from}"`;
  const rename = jsonRewrite((answer) => {
    const candidates = answer.candidates as Array<{ citationMetadata?: Record<string, unknown> } | null> | undefined;
    for (const candidate of candidates ?? []) {
      const citations = candidate?.citationMetadata;
      if (citations?.[from] === undefined) continue;
      citations[to] = citations[from];
      delete citations[from];
    }
  });
  return (json) => (json.includes(marker) ? rename(json) : json);
}

/** A Vertex answer for a Gemini API caller. */
export const citationsForGeminiApi: AnswerRewrite = renameCitations('citations', 'citationSources');

/** A Gemini API answer for a Vertex caller. */
export const citationsForVertex: AnswerRewrite = renameCitations('citationSources', 'citations');
