/** Bitbucket's REST roots; `latest` tracks the server's current API version. */
export const API = '/rest/api/latest';
export const ACCESS_TOKENS_API = '/rest/access-tokens/latest';
