/** Bitbucket's REST roots; `latest` tracks the server's current API version. */
export const API = '/rest/api/latest';
export const ACCESS_TOKENS_API = '/rest/access-tokens/latest';

/** Encodes one path segment (project keys, slugs and ids come from users and config). */
export function segment(value: string | number): string {
  const text = String(value);
  if (text === '') throw new TypeError('a Bitbucket path segment (project key, slug or id) must not be empty');
  return encodeURIComponent(text);
}
