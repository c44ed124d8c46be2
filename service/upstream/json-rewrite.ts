/** The shape every dialect rewrite of an answer shares: parse, edit in place, serialise. */
import type { AnswerRewrite } from './types';

/** A rewrite that edits the parsed answer in place; an answer that is not a JSON object is handed on as it came. */
export function jsonRewrite(edit: (answer: Record<string, unknown>) => void): AnswerRewrite {
  return (json) => {
    let answer: unknown;
    try {
      answer = JSON.parse(json);
    } catch {
      return json;
    }
    if (typeof answer !== 'object' || answer === null) return json;
    edit(answer as Record<string, unknown>);
    return JSON.stringify(answer);
  };
}
