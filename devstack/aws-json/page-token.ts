import { validationError } from './service-error';

/**
 * A NextToken names the last item a page held by its creation sequence, not by its index, so that an item deleted
 * between two pages neither repeats nor hides another. base64url keeps it within the narrowest NextToken pattern the
 * emulated models have, [A-Za-z0-9_\.\-=]*.
 */
export function encodePageToken(lastSequence: number): string {
  return Buffer.from(`after:${lastSequence}`).toString('base64url');
}

export function decodePageToken(token: string): number {
  const match = /^after:(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw validationError(`Invalid NextToken: ${token}`);
  return Number(match[1]);
}

/** One page of `items` (in creation order) after `nextToken`, and the token of the page after it, if any. */
export function pageOf<Item extends { sequence: number }>(
  items: Iterable<Item>,
  nextToken: string | undefined,
  pageSize: number,
): { page: Item[]; nextToken?: string } {
  const after = nextToken === undefined ? 0 : decodePageToken(nextToken);
  const remaining = [...items].filter((item) => item.sequence > after);
  const page = remaining.slice(0, pageSize);
  const last = page.at(-1);
  return last && remaining.length > page.length ? { page, nextToken: encodePageToken(last.sequence) } : { page };
}
