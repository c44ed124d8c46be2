/** The two halves of a request target (`/v1beta/models/m:generateContent?alt=sse`), split without a URL parser. */
import { parse, type ParsedUrlQuery } from 'node:querystring';

/** The path, without the query string; `/` when the request has none. */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const query = url.indexOf('?');
  const target = query < 0 ? url : url.slice(0, query);
  if (target.startsWith('/')) return target;
  // The absolute form a proxy may send (`POST http://host/v1beta/…`): its path.
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

/** The query string's parameters, parsed as Express's `simple` query parser does (a repeated name gives an array). */
export function queryOf(url: string | undefined): ParsedUrlQuery {
  const query = url?.indexOf('?') ?? -1;
  return query < 0 ? {} : parse(url!.slice(query + 1));
}
