import { badRequest } from '../../common/index.js';

/** Paging cursors are opaque to clients: base64url of `{"o": offset}`. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

/** Parses a cursor from a `next` link; anything else is a 400 naming `_cursor`. */
export function decodeCursor(cursor: string): number {
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0 && o <= 1_000_000) return o;
  } catch {
    // fall through to the outcome below
  }
  throw badRequest('_cursor: expected the cursor of a next link', '_cursor');
}
