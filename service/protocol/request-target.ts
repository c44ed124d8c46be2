/**
 * The two halves of a request target (`/v1beta/models/m:generateContent?alt=sse`), split without a URL
 * parser: the gateway's router, its access line and its route labels all read the path the same way.
 */
import { parse, type ParsedUrlQuery } from 'node:querystring';

/** Where the path ends: at the query string, or at a fragment a raw client left in. */
function pathEnd(url: string): number {
  const query = url.indexOf('?');
  const fragment = url.indexOf('#');
  if (query < 0) return fragment < 0 ? url.length : fragment;
  return fragment < 0 ? query : Math.min(query, fragment);
}

/** The path, without query string or fragment; `/` when the request has none. */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const target = url.slice(0, pathEnd(url));
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
