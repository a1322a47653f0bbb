import { classifyApiHost, defaultUserFacingHost, userFacingHostProblem, type ApiHostKind } from '../domain/api-hosts';
import type { AgentRoute } from '../clients/agent-route';
import { UnprocessableError } from './errors';

export interface BitbucketCredentials {
  apiHost: string;
  username: string;
  accessToken: string;
}

/**
 * Where a credential check may connect: which of the addresses the API host's name resolves to it may use (the
 * --allowed-bitbucket-hosts policy, applied again after DNS so a name cannot lead to a loopback port).
 */
export interface ConnectionPolicy {
  allowAddress(address: string): boolean;
  /** For a private://<pool> apiHost: the VCS agents that carry the check. */
  agents?: AgentRoute;
}

/** Checks credentials against Bitbucket; throws an UnprocessableError saying what failed. */
export type CredentialVerifier = (credentials: BitbucketCredentials, connection: ConnectionPolicy) => Promise<void>;

/** Classifies an integration's apiHost (see the domain rule), or throws a 422 naming the field. */
export function requireApiHost(apiHost: string): ApiHostKind {
  const classified = classifyApiHost(apiHost);
  if ('problem' in classified) throw new UnprocessableError(`apiHost ${classified.problem}, got ${JSON.stringify(apiHost)}`, { field: 'apiHost' });
  return classified.kind;
}

/** Validates a userFacingHost (an http(s) URL shown to people), or throws a 422 naming the field. */
export function checkUserFacingHost(value: string): void {
  const problem = userFacingHostProblem(value);
  if (problem !== null) throw new UnprocessableError(`userFacingHost ${problem}, got "${value}"`, { field: 'userFacingHost' });
}

/** The userFacingHost to show: the configured one, else the default one for apiHost. */
export function effectiveUserFacingHost(configured: string | null, apiHost: string): string | null {
  return configured ?? defaultUserFacingHost(apiHost);
}
