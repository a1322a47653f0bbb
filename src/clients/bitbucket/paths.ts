import { segment } from '../urls';

/** Bitbucket's REST roots; `latest` tracks the server's current API version. */
export const API = '/rest/api/latest';
export const ACCESS_TOKENS_API = '/rest/access-tokens/latest';

/** A repository's REST root, e.g. `/rest/api/latest/projects/PRJ/repos/app`. */
export function repositoryPath(projectKey: string, slug: string): string {
  return `${API}/projects/${segment(projectKey)}/repos/${segment(slug)}`;
}
