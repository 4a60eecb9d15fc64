/**
 * Pagination of list results (MCP 2025-11-25 "Server Features > Utilities > Pagination"): a page
 * of at most `pageSize` items and, when more follow, an opaque `nextCursor` the client sends back
 * as `params.cursor`.
 *
 * Never imports Node-RED.
 */

/** Default items per page of `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`. */
export const DEFAULT_PAGE_SIZE = 100;

function encode(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

function decode(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const found = /^o:(\d{1,9})$/.exec(text);
  return found === null ? undefined : Number(found[1]);
}

/**
 * The page of `items` that `cursor` (absent: the first page) points at.
 * @returns the page and the next cursor, or `undefined` for a cursor this server did not issue
 *   (the caller answers `-32602 Invalid params`).
 */
export function paginate<T>(items: readonly T[], cursor: unknown, pageSize = DEFAULT_PAGE_SIZE): { page: T[]; nextCursor?: string } | undefined {
  let offset = 0;
  if (cursor !== undefined) {
    const decoded = typeof cursor === 'string' ? decode(cursor) : undefined;
    if (decoded === undefined || decoded > items.length) return undefined;
    offset = decoded;
  }
  const end = offset + Math.max(1, pageSize);
  const page = items.slice(offset, end);
  return end < items.length ? { page, nextCursor: encode(end) } : { page };
}
