/**
 * Gemini API embedding calls (`embedContent`, `batchEmbedContents`) on Vertex AI, which has neither: it
 * embeds with `:predict` (one text per instance, options as `task_type`, `title` and
 * `parameters.outputDimensionality`) or, for the newer Gemini embedding models, with its own `:embedContent`
 * (one content per call, options under `embedContentConfig`). Which model takes which is @google/genai's
 * rule in Vertex mode (`tIsVertexEmbedContentModel`). An app team's embedding code then works unchanged
 * whether the gateway's upstream is AI Studio or Vertex.
 *
 * A call is planned as one or more Vertex calls, and their answers are put back together in the Gemini API's
 * shape: `{"embedding":{"values":[…]}}` or `{"embeddings":[{"values":[…]}, …]}`, in the order asked.
 */
import { GoogleApiError } from '../protocol/errors';

/** The fields of a Gemini API EmbedContentRequest read here (the validate stage has checked the body's shape). */
interface EmbedContentRequest {
  content: { parts?: unknown[] };
  taskType?: string;
  title?: string;
  outputDimensionality?: number;
}

export type VertexEmbeddingMethod = 'predict' | 'embedContent';

export interface VertexEmbeddingPlan {
  method: VertexEmbeddingMethod;
  /** One body per Vertex call, sent concurrently. */
  bodies: Array<Record<string, unknown>>;
  /** The Gemini API answer, from the Vertex answers in the order of `bodies`. */
  answer(replies: unknown[]): Record<string, unknown>;
}

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
  return new GoogleApiError(502, `Vertex AI answered an embedding call without ${what}.`);
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

function planRequests(model: string, requests: EmbedContentRequest[]): Omit<VertexEmbeddingPlan, 'answer'> & { embeddings(replies: unknown[]): Array<{ values: number[] }> } {
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
export function planVertexEmbeddings(method: 'embedContent' | 'batchEmbedContents', model: string, body: unknown): VertexEmbeddingPlan {
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
