/** The models the emulator knows, with the metadata `models.get` / `models.list` return for them. */

export interface EmulatedModel {
  id: string;
  displayName: string;
  kind: 'generate' | 'embed';
  inputTokenLimit: number;
  outputTokenLimit: number;
  thinking: boolean;
  /** A shut-down model answers 404, as Google's API does after a model's shutdown date. */
  shutDown?: boolean;
}

const generate = (id: string, displayName: string, thinking = true): EmulatedModel => ({
  id,
  displayName,
  kind: 'generate',
  inputTokenLimit: 1_048_576,
  outputTokenLimit: 65_536,
  thinking,
});

export const EMULATED_MODELS: readonly EmulatedModel[] = [
  generate('gemini-3.8-flash', 'Gemini 3.8 Flash'),
  generate('gemini-3.7-flash', 'Gemini 3.7 Flash'),
  generate('gemini-3.6-flash', 'Gemini 3.6 Flash'),
  generate('gemini-3.5-flash', 'Gemini 3.5 Flash'),
  generate('gemini-3.5-flash-lite', 'Gemini 3.5 Flash-Lite'),
  generate('gemini-3.1-flash-lite', 'Gemini 3.1 Flash-Lite'),
  generate('gemini-3.1-pro-preview', 'Gemini 3.1 Pro Preview'),
  generate('gemini-3-flash-preview', 'Gemini 3 Flash Preview'),
  { ...generate('gemini-3-pro-preview', 'Gemini 3 Pro Preview'), shutDown: true },
  generate('gemini-2.5-pro', 'Gemini 2.5 Pro'),
  generate('gemini-2.5-flash', 'Gemini 2.5 Flash'),
  generate('gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite'),
  generate('gemini-2.0-flash', 'Gemini 2.0 Flash', false),
  { id: 'gemini-embedding-001', displayName: 'Gemini Embedding 001', kind: 'embed', inputTokenLimit: 2048, outputTokenLimit: 1, thinking: false },
  { id: 'gemini-embedding-2', displayName: 'Gemini Embedding 2', kind: 'embed', inputTokenLimit: 8192, outputTokenLimit: 1, thinking: false },
  { id: 'text-embedding-004', displayName: 'Text Embedding 004', kind: 'embed', inputTokenLimit: 2048, outputTokenLimit: 1, thinking: false },
];

const BY_ID = new Map(EMULATED_MODELS.map((m) => [m.id, m]));

export function findModel(id: string): EmulatedModel | undefined {
  const model = BY_ID.get(id);
  return model && !model.shutDown ? model : undefined;
}

export function listedModels(): EmulatedModel[] {
  return EMULATED_MODELS.filter((m) => !m.shutDown);
}

/** The `Model` resource as the Gemini API describes it. */
export function modelResource(model: EmulatedModel, collection: string): Record<string, unknown> {
  const methods =
    model.kind === 'embed' ? ['embedContent', 'batchEmbedContents', 'countTokens'] : ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];
  return {
    name: `${collection}/${model.id}`,
    version: '001',
    displayName: model.displayName,
    description: `${model.displayName}, served by the gemini-gateway emulator.`,
    inputTokenLimit: model.inputTokenLimit,
    outputTokenLimit: model.outputTokenLimit,
    supportedGenerationMethods: methods,
    ...(model.kind === 'generate' ? { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: model.thinking } : {}),
  };
}
