import { BitbucketClient } from '../clients/bitbucket';
import type { BitbucketCredentials } from './credentials';
import { UnprocessableError } from './errors';

/** What each failed check tells the person who entered the credentials, and which field to fix. */
const PROBLEMS = {
  unreachable: { field: 'apiHost', summary: 'Bitbucket is unreachable' },
  'not-bitbucket': { field: 'apiHost', summary: 'apiHost does not answer like Bitbucket Data Center' },
  unauthorized: { field: 'accessToken', summary: 'Bitbucket rejected the credentials (401: bad username or access token)' },
  forbidden: { field: 'accessToken', summary: 'Bitbucket refused access (403: the token lacks a permission)' },
  'missing-permission': {
    field: 'accessToken',
    summary: 'the token is valid but lacks permission (403-equivalent: it can read repositories but administers none, and webhooks need REPO_ADMIN)',
  },
} as const;

/**
 * Verifies integration credentials against Bitbucket (SPEC §1): application-properties (reachable, is Bitbucket),
 * then an authenticated read of the repositories the account administers. Basic auth with username and token,
 * so a token that belongs to another user fails too. Throws a 422 that says which check failed.
 */
export async function verifyWithBitbucket(credentials: BitbucketCredentials): Promise<void> {
  const client = new BitbucketClient({
    baseUrl: credentials.apiHost,
    username: credentials.username,
    password: credentials.accessToken,
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
      if (readable.values.length === 0) return;
    }
    if (check.problem === 'unauthorized' && (await tokenWorksAlone(credentials))) {
      throw new UnprocessableError(
        `credential verification failed: Bitbucket rejected the credentials (401): the access token is valid but does not ` +
          `belong to user "${credentials.username}"`,
        { field: 'username', problem: 'unauthorized' },
      );
    }
    const problem = PROBLEMS[check.problem];
    throw new UnprocessableError(`credential verification failed: ${problem.summary}: ${check.message}`, {
      field: problem.field,
      problem: check.problem,
    });
  } finally {
    client.close();
  }
}

/** Whether the token authenticates on its own (Bearer), to tell a wrong username from a bad token. */
async function tokenWorksAlone(credentials: BitbucketCredentials): Promise<boolean> {
  const client = new BitbucketClient({
    baseUrl: credentials.apiHost,
    token: credentials.accessToken,
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
