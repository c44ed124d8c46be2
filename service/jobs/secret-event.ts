/**
 * Reads a Secret Manager event notification delivered by a Pub/Sub push subscription. Pub/Sub wraps the
 * message in `{ message: { attributes, data, messageId, publishTime }, subscription }` (and repeats the
 * ids in snake_case); Secret Manager puts what happened in the attributes `eventType` and `secretId`.
 */
import { z } from 'zod';

export const SECRET_ROTATE = 'SECRET_ROTATE';

export interface SecretEvent {
  eventType: string;
  /** `projects/<number>/secrets/<id>`: Secret Manager names the project by number in notifications. */
  secretName: string;
  /** Pub/Sub's message id: the same for every redelivery of one notification, so it identifies the rotation. */
  messageId: string;
  publishTime: Date;
}

export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

const pushEnvelope = z.object({
  message: z
    .object({
      attributes: z.record(z.string(), z.string()).default({}),
      messageId: z.string().min(1).optional(),
      message_id: z.string().min(1).optional(),
      publishTime: z.iso.datetime({ offset: true }).optional(),
      publish_time: z.iso.datetime({ offset: true }).optional(),
    })
    .refine((m) => (m.messageId ?? m.message_id) !== undefined, 'message.messageId is missing')
    .refine((m) => (m.publishTime ?? m.publish_time) !== undefined, 'message.publishTime is missing'),
});

const secretAttributes = z.object({
  eventType: z.string().min(1),
  secretId: z.string().regex(/^projects\/[^/]+\/secrets\/[^/]+$/, 'must be projects/<project>/secrets/<id>'),
});

export function parseSecretEvent(body: unknown): SecretEvent {
  const envelope = pushEnvelope.safeParse(body);
  if (!envelope.success) throw new MalformedEventError(`Not a Pub/Sub push message: ${z.prettifyError(envelope.error)}`);
  const { message } = envelope.data;
  const attributes = secretAttributes.safeParse(message.attributes);
  if (!attributes.success) throw new MalformedEventError(`Not a Secret Manager notification: ${z.prettifyError(attributes.error)}`);
  return {
    eventType: attributes.data.eventType,
    secretName: attributes.data.secretId,
    messageId: (message.messageId ?? message.message_id) as string,
    publishTime: new Date((message.publishTime ?? message.publish_time) as string),
  };
}

/** The secret id of `projects/<project>/secrets/<id>`; notifications name the project by number, settings by id. */
export function secretIdOf(secretName: string): string {
  return secretName.slice(secretName.lastIndexOf('/') + 1);
}
