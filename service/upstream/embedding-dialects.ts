/**
 * Embedding calls between the two dialects, so an app team's embedding code works unchanged whichever
 * upstream the gateway has:
 *
 * - The Gemini API's `embedContent` and `batchEmbedContents`, on Vertex AI, which has neither: it embeds with
 *   `:predict` (one text per instance, options as `task_type`, `title` and
 *   `parameters.outputDimensionality`) or, for the newer Gemini embedding models, with its own
 *   `:embedContent` (one content per call, options under `embedContentConfig`). Which model takes which is
 *   @google/genai's rule in Vertex mode (`tIsVertexEmbedContentModel`).
 * - Vertex's `predict` (embedding models only: Imagen's predict is the same method on both) and Vertex's
 *   `embedContent`, on the Gemini API, which has neither in that form.
 *
 * A call is planned as one or more calls in the other dialect, and their answers are put back together in
 * the caller's dialect, in the order asked.
 */
import { GoogleApiError } from '../protocol/errors';

/** The fields of a Gemini API EmbedContentRequest read here (the validate stage has checked the body's shape). */
interface EmbedContentRequest {
  content: { parts?: unknown[] };
  taskType?: string;
  title?: string;
  outputDimensionality?: number;
}

export interface EmbeddingPlan {
  /** The method in the other dialect. */
  method: 'predict' | 'embedContent' | 'batchEmbedContents';
  /** One body per call, sent concurrently. */
  bodies: Array<Record<string, unknown>>;
  /** The answer in the caller's dialect, from the answers in the order of `bodies`. */
  answer: (replies: unknown[]) => Record<string, unknown>;
}

/** Gemini's batchEmbedContents takes at most this many requests (Vertex's predict takes up to 250 instances). */
const GEMINI_API_BATCH_LIMIT = 100;

/** Vertex's `:embedContent` models: Gemini embedding models other than gemini-embedding-001, and MaaS models. */
function takesEmbedContent(model: string): boolean {
  return (model.includes('gemini') && model !== 'gemini-embedding-001') || model.includes('maas');
}

/** gemini-embedding-001 embeds one text per Vertex request; the text-embedding models take a batch. */
function oneTextPerPredict(model: string): boolean {
  return model === 'gemini-embedding-001';
}

function invalid(message: string): GoogleApiError {
  return new GoogleApiError(400, message);
}

/** Vertex's `predict` embeds a string: the content must be one text part. */
function soleText(request: EmbedContentRequest, index: number): string {
  const parts = (request.content.parts ?? []) as Array<Record<string, unknown>>;
  const text = parts.length === 1 ? parts[0]?.text : undefined;
  if (typeof text !== 'string') {
    throw invalid(`Embedding input ${index}: on Vertex AI this model embeds one text per input; send a content with exactly one text part.`);
  }
  return text;
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function predictInstance(request: EmbedContentRequest, index: number): Record<string, unknown> {
  return definedOnly({ content: soleText(request, index), task_type: request.taskType, title: request.title });
}

/** One `parameters` per predict call: every input of a batch must ask for the same dimensionality. */
function predictParameters(requests: EmbedContentRequest[]): Record<string, unknown> | undefined {
  const dimensions = new Set(requests.map((request) => request.outputDimensionality));
  if (dimensions.size > 1) throw invalid('On Vertex AI the inputs of one batch must ask for the same outputDimensionality; send the others in another batch.');
  const [outputDimensionality] = dimensions;
  return outputDimensionality === undefined ? undefined : { outputDimensionality };
}

function malformed(what: string): GoogleApiError {
  return new GoogleApiError(502, `The upstream answered an embedding call without ${what}.`);
}

function valuesOf(embedding: unknown): { values: number[] } {
  const values = (embedding as { values?: unknown } | undefined)?.values;
  if (!Array.isArray(values)) throw malformed('embedding values');
  return { values: values as number[] };
}

/** The embeddings in a predict answer, one per instance. */
function predictions(reply: unknown, expected: number): Array<{ values: number[] }> {
  const list = (reply as { predictions?: unknown } | undefined)?.predictions;
  if (!Array.isArray(list) || list.length !== expected) throw malformed(`${expected} prediction(s)`);
  return list.map((prediction) => valuesOf((prediction as { embeddings?: unknown }).embeddings));
}

function planRequests(model: string, requests: EmbedContentRequest[]): Omit<EmbeddingPlan, 'answer'> & { embeddings(replies: unknown[]): Array<{ values: number[] }> } {
  if (takesEmbedContent(model)) {
    return {
      method: 'embedContent',
      bodies: requests.map((request) =>
        definedOnly({
          content: request.content,
          embedContentConfig: definedOnly({ taskType: request.taskType, title: request.title, outputDimensionality: request.outputDimensionality }),
        }),
      ),
      embeddings: (replies) => replies.map((reply) => valuesOf((reply as { embedding?: unknown } | undefined)?.embedding)),
    };
  }
  const instances = requests.map(predictInstance);
  const parameters = predictParameters(requests);
  const groups = oneTextPerPredict(model) ? instances.map((instance) => [instance]) : [instances];
  return {
    method: 'predict',
    bodies: groups.map((group) => definedOnly({ instances: group, parameters })),
    embeddings: (replies) => replies.flatMap((reply, index) => predictions(reply, groups[index]?.length ?? 0)),
  };
}

/** Plans a Gemini API `embedContent` or `batchEmbedContents` body (already validated) for `model` on Vertex. */
export function planVertexEmbeddings(method: 'embedContent' | 'batchEmbedContents', model: string, body: unknown): EmbeddingPlan {
  const requests = method === 'embedContent' ? [body as EmbedContentRequest] : (body as { requests: EmbedContentRequest[] }).requests;
  const plan = planRequests(model, requests);
  return {
    method: plan.method,
    bodies: plan.bodies,
    answer: (replies) => {
      const embeddings = plan.embeddings(replies);
      return method === 'embedContent' ? { embedding: embeddings[0] } : { embeddings };
    },
  };
}

/** Vertex's embedding models are named for it (gemini-embedding-001, text-embedding-005, text-multilingual-embedding-002). */
export function isEmbeddingModel(model: string): boolean {
  return model.includes('embedding');
}

/** The fields of a Vertex predict body for an embedding model read here. */
interface PredictRequest {
  instances: Array<{ content?: unknown; task_type?: string; title?: string }>;
  parameters?: { outputDimensionality?: number };
}

/** Vertex's `predict` on an embedding model, as Gemini API batches of text (at most 100 each). */
function planPredictOnGeminiApi(model: string, body: PredictRequest): EmbeddingPlan {
  const requests = body.instances.map((instance, index) => {
    if (typeof instance.content !== 'string') throw invalid(`instances[${index}].content: an embedding instance holds its text as a string.`);
    return definedOnly({
      model: `models/${model}`,
      content: { parts: [{ text: instance.content }] },
      taskType: instance.task_type,
      title: instance.title,
      outputDimensionality: body.parameters?.outputDimensionality,
    });
  });
  const bodies: Array<Record<string, unknown>> = [];
  for (let start = 0; start < requests.length; start += GEMINI_API_BATCH_LIMIT) bodies.push({ requests: requests.slice(start, start + GEMINI_API_BATCH_LIMIT) });
  return {
    method: 'batchEmbedContents',
    bodies,
    answer: (replies) => {
      const embeddings = replies.flatMap((reply, index) => {
        const list = (reply as { embeddings?: unknown } | undefined)?.embeddings;
        const expected = (bodies[index]?.requests as unknown[] | undefined)?.length ?? 0;
        if (!Array.isArray(list) || list.length !== expected) throw malformed(`${expected} embedding(s)`);
        return list.map(valuesOf);
      });
      return { predictions: embeddings.map((embedding) => ({ embeddings: embedding })) };
    },
  };
}

/** Plans Vertex's `predict` (embedding models) or `embedContent` body (already validated) for `model` on the Gemini API. */
export function planGeminiApiEmbeddings(method: 'predict' | 'embedContent', model: string, body: unknown): EmbeddingPlan {
  if (method === 'predict') return planPredictOnGeminiApi(model, body as PredictRequest);
  const { content, embedContentConfig } = body as { content: unknown; embedContentConfig?: { taskType?: string; title?: string; outputDimensionality?: number } };
  return {
    method: 'embedContent',
    bodies: [definedOnly({ content, taskType: embedContentConfig?.taskType, title: embedContentConfig?.title, outputDimensionality: embedContentConfig?.outputDimensionality })],
    answer: ([reply]) => ({ embedding: valuesOf((reply as { embedding?: unknown } | undefined)?.embedding) }),
  };
}
