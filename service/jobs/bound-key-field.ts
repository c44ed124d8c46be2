/**
 * `@google-cloud/apikeys` 3.1 was generated before the API Keys v2 `Key` gained `serviceAccountEmail`
 * (the binding that makes a key an auth key, which the Gemini API requires). The REST transport encodes
 * requests through the library's protobuf descriptor, so without that field a binding would be dropped
 * silently. This adds the field to the shared descriptor before any client uses it. The job's tests
 * check that the binding reaches the API; drop this file once the library ships the field.
 */
import { readFileSync } from 'node:fs';
import { fallback } from 'google-gax';

const KEY_TYPE = 'google.api.apikeys.v2.Key';
const BOUND_ACCOUNT_FIELD = 'serviceAccountEmail';
/** Free in the library's descriptor. It never leaves the process: REST transcoding sends field names, not numbers. */
const LOCAL_FIELD_NUMBER = 12;

export function ensureBoundKeyField(): void {
  // The same JSON the client loads, so `protobufFromJSON`'s cache hands back the very descriptor the client uses.
  const descriptor = JSON.parse(readFileSync(require.resolve('@google-cloud/apikeys/build/protos/protos.json'), 'utf8')) as object;
  const keyType = fallback.protobufFromJSON(descriptor).lookupType(KEY_TYPE);
  if (keyType.fields[BOUND_ACCOUNT_FIELD] === undefined) keyType.add(new fallback.protobuf.Field(BOUND_ACCOUNT_FIELD, LOCAL_FIELD_NUMBER, 'string'));
}
