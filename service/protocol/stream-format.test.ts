import { CandidateFinishes } from './stream-format';

const event = (...candidates: Array<Record<string, unknown>>): string => JSON.stringify({ candidates });

test('a stream of several candidates is whole once every candidate it began has finished', () => {
  const finishes = new CandidateFinishes();
  finishes.note(event({ index: 0, content: {} }, { index: 1, content: {} }));
  finishes.note(event({ index: 0, content: {}, finishReason: 'STOP' }, { index: 1, content: {} }));
  expect(finishes.endsMidAnswer).toBe(true);
  finishes.note(event({ index: 1, content: {}, finishReason: 'MAX_TOKENS' }));
  expect(finishes.endsMidAnswer).toBe(false);
  // Events that are not JSON, or carry no candidates (usage only), change nothing.
  finishes.note('not json');
  finishes.note(JSON.stringify({ usageMetadata: { totalTokenCount: 3 } }));
  expect(finishes.endsMidAnswer).toBe(false);
});

test('a candidate that goes on after a finish reason is not finished; one without an index is the one at its position', () => {
  const goesOn = new CandidateFinishes();
  goesOn.note(event({ index: 0, finishReason: 'STOP' }, { index: 1, finishReason: 'STOP' }));
  goesOn.note(event({ index: 0, content: {} }));
  expect(goesOn.endsMidAnswer).toBe(true);

  const unnamed = new CandidateFinishes();
  unnamed.note(event({ content: {} }, { content: {} }));
  unnamed.note(event({ finishReason: 'STOP' }));
  expect(unnamed.endsMidAnswer).toBe(true);

  const nullReason = new CandidateFinishes();
  nullReason.note(event({ index: 0, finishReason: null }));
  expect(nullReason.endsMidAnswer).toBe(true);
});
