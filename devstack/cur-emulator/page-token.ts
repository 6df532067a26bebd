import { validationError } from './service-error';

/**
 * A NextToken names the last definition a page held by its creation sequence, not by its index, so that a definition
 * deleted between two pages neither repeats nor hides another. base64url keeps it within the model's NextToken
 * pattern, [A-Za-z0-9_\.\-=]*.
 */
export function encodePageToken(lastSequence: number): string {
  return Buffer.from(`after:${lastSequence}`).toString('base64url');
}

export function decodePageToken(token: string): number {
  const match = /^after:(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw validationError(`Invalid NextToken: ${token}`);
  return Number(match[1]);
}
