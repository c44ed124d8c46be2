/** Converts the protobuf timestamps the Google client libraries return (`{ seconds, nanos }`) to dates. */
export interface ProtoTimestamp {
  seconds?: number | string | { toString(): string } | null;
  nanos?: number | null;
}

export function toDate(timestamp: ProtoTimestamp | null | undefined): Date | undefined {
  if (timestamp === null || timestamp === undefined || timestamp.seconds === null || timestamp.seconds === undefined) return undefined;
  const seconds = Number(timestamp.seconds.toString());
  return new Date(seconds * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6));
}

/** Like `toDate`, for fields the API always sets: their absence means a broken response. */
export function requireDate(timestamp: ProtoTimestamp | null | undefined, what: string): Date {
  const date = toDate(timestamp);
  if (date === undefined) throw new Error(`The API returned no ${what}`);
  return date;
}
