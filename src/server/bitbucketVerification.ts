import { BitbucketClient } from '../clients/bitbucket';
import type { BitbucketCredentials, ConnectionPolicy } from './credentials';
import { UnprocessableError } from './errors';

/**
 * The one answer for a host that did not answer as Bitbucket, whatever the cause: a closed port, an open port that
 * speaks something else, a TLS failure, a timeout, a DNS name that resolves nowhere or only to addresses the policy
 * refuses. Telling these apart would let a space admin map the control plane's network through apiHost.
 */
const NOT_REACHED = {
  field: 'apiHost',
  problem: 'unreachable',
  summary: 'apiHost did not answer as Bitbucket Data Center (unreachable, refused, TLS failed, or not Bitbucket)',
} as const;

/**
 * What each failed check tells the person who entered the credentials, and which field to fix. Only these fixed
 * texts reach the API: nothing the host answered (its error text could echo the credentials back).
 */
const PROBLEMS = {
  unreachable: NOT_REACHED,
  'not-bitbucket': NOT_REACHED,
  unauthorized: { field: 'accessToken', problem: 'unauthorized', summary: 'Bitbucket rejected the credentials (401: bad username or access token)' },
  forbidden: { field: 'accessToken', problem: 'forbidden', summary: 'Bitbucket refused access (403: the token lacks a permission)' },
  'missing-permission': {
    field: 'accessToken',
    problem: 'missing-permission',
    summary: 'the token is valid but lacks permission (403-equivalent: it can read repositories but administers none, and webhooks need REPO_ADMIN)',
  },
} as const;

/**
 * Verifies integration credentials against Bitbucket (SPEC §1): application-properties (reachable, is Bitbucket),
 * then an authenticated read of the repositories the account administers. Basic auth with username and token,
 * so a token that belongs to another user fails too. Connections go only to addresses `connection` allows.
 * Throws a 422 that says which check failed, in fixed words.
 */
export async function verifyWithBitbucket(credentials: BitbucketCredentials, connection: ConnectionPolicy): Promise<void> {
  const client = new BitbucketClient({
    baseUrl: credentials.apiHost,
    username: credentials.username,
    password: credentials.accessToken,
    allowAddress: (address) => connection.allowAddress(address),
    agents: connection.agents,
    // A person is waiting on the API call: fail within seconds rather than ride out a long back-off.
    retry: { maxRetries: 1, baseDelayMs: 200, maxDelayMs: 1000, maxRetryAfterMs: 2000, maxRateLimitWaitMs: 3000 },
    timeoutMs: 10_000,
    userAgent: 'liftgate-control-plane',
  });
  try {
    const check = await client.verifyCredentials({ permission: 'REPO_ADMIN' });
    if (check.ok) return;
    // Administering no repository is only a missing permission when the account can see repositories at all;
    // on a server without any yet (a fresh install, an emulator) the authenticated read itself is the proof.
    if (check.problem === 'missing-permission') {
      const readable = await client.repositories.search({ permission: 'REPO_READ', pageSize: 1 }).firstPage();
      if (readable.items.length === 0) return;
    }
    if (check.problem === 'unauthorized' && (await tokenWorksAlone(credentials, connection))) {
      throw new UnprocessableError(
        `credential verification failed: Bitbucket rejected the credentials (401): the access token is valid but does not ` +
          `belong to user "${credentials.username}"`,
        { field: 'username', problem: 'unauthorized' },
      );
    }
    const problem = PROBLEMS[check.problem];
    throw new UnprocessableError(`credential verification failed: ${problem.summary}`, { field: problem.field, problem: problem.problem });
  } finally {
    client.close();
  }
}

/** Whether the token authenticates on its own (Bearer), to tell a wrong username from a bad token. */
async function tokenWorksAlone(credentials: BitbucketCredentials, connection: ConnectionPolicy): Promise<boolean> {
  const client = new BitbucketClient({
    baseUrl: credentials.apiHost,
    token: credentials.accessToken,
    allowAddress: (address) => connection.allowAddress(address),
    agents: connection.agents,
    retry: { maxRetries: 0, maxRateLimitWaitMs: 0 },
    timeoutMs: 10_000,
    userAgent: 'liftgate-control-plane',
  });
  try {
    await client.repositories.search({ pageSize: 1 }).firstPage();
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
