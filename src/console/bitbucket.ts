import type { Integration, Stack } from './api';

/**
 * Links into Bitbucket Data Center's web UI on an integration's user-facing host. Only http(s) hosts are linked;
 * without one (a private:// API host and no user-facing host) the console shows plain text.
 */
export function repositoryUrl(integration: Integration | undefined, projectKey: string, repositorySlug: string): string | null {
  const host = integration?.userFacingHost ?? null;
  if (host === null || !/^https?:\/\//i.test(host)) return null;
  return `${host.replace(/\/+$/, '')}/projects/${encodeURIComponent(projectKey)}/repos/${encodeURIComponent(repositorySlug)}`;
}

export function commitUrl(repository: string | null, commit: string): string | null {
  return repository === null ? null : `${repository}/commits/${encodeURIComponent(commit)}`;
}

export function pullRequestUrl(repository: string | null, pullRequestId: number): string | null {
  return repository === null ? null : `${repository}/pull-requests/${pullRequestId}/overview`;
}

/** The integration a stack uses: none while detached; `vcs.integrationId` null is the default integration. */
export function integrationOfStack(stack: Stack, integrations: Integration[]): Integration | undefined {
  if (stack.detached) return undefined;
  const { integrationId } = stack.vcs;
  return integrations.find((integration) => (integrationId === null ? integration.isDefault : integration.id === integrationId));
}
