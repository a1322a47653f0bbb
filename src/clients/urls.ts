/** The URLs of API requests: the base URL an API client is given, and the path segments it adds. */

/**
 * An API's base URL as the transport takes it: an absolute http(s) URL without credentials (they would end up in
 * every error message and log line), query or fragment, and without trailing slashes. `field` names the option in
 * the TypeError for anything else; `credentialsHint` says where credentials go instead.
 */
export function httpBaseUrl(value: string, field: string, credentialsHint: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${field} must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${field} must use http or https, got "${url.protocol}"`);
  if (url.username !== '' || url.password !== '') throw new TypeError(`${field} must not contain credentials; ${credentialsHint}`);
  if (url.search !== '' || url.hash !== '') throw new TypeError(`${field} must not have a query or fragment, got "${value}"`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Encodes one path segment (keys, slugs and ids come from users and configuration). */
export function segment(value: string | number): string {
  const text = String(value);
  if (text === '') throw new TypeError('a URL path segment (a key, slug or id) must not be empty');
  return encodeURIComponent(text);
}
