/**
 * Who is calling the state server: HTTP Basic with any username and an API key or a run's one-off credentials as the
 * password (what Terraform's http backend sends), or the API's usual `Authorization: Bearer <api key>`.
 */
import type { StatePrincipal } from '../../domain/state';
import { bearerSecret, callerWithSecret, type Caller } from '../auth/access';
import { UnauthorizedError } from '../errors';
import { hashSecret } from '../secrets';
import type { Queryable } from '../store/database';
import type { ReadCache } from '../store/read-cache';
import { findRunByStateCredentialHash, type CredentialRun } from '../store/run-credentials';
import { RUN_CREDENTIAL_PREFIX } from './run-credentials';

/** An authenticated state request: an API key (with the space tree its roles apply to) or a run's credentials. */
export type StateCredential = { kind: 'api-key'; caller: Caller } | { kind: 'run'; run: CredentialRun };

export const STATE_AUTH_REALM = 'Basic realm="Liftgate state", charset="UTF-8"';

/** The password of a Basic header or the token of a Bearer one; null when there is neither. */
export function credentialSecret(header: string | undefined): string | null {
  if (header === undefined) return null;
  const bearer = bearerSecret(header);
  if (bearer !== null) return bearer;
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (basic === null) {
    if (/^(Basic|Bearer)\b/i.test(header)) throw new UnauthorizedError('malformed Authorization header');
    return null;
  }
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new UnauthorizedError('malformed Basic credentials: expected base64 of "username:password"');
  const password = decoded.slice(colon + 1);
  if (password === '') throw new UnauthorizedError('the Basic password is empty: it must be an API key or a run\'s state credentials');
  return password;
}

/** Authenticates a state request; 401 without credentials or with credentials nobody issued. */
export async function authenticateStateRequest(db: Queryable, reads: ReadCache, authorization: string | undefined): Promise<StateCredential> {
  const secret = credentialSecret(authorization);
  if (secret === null) {
    throw new UnauthorizedError(
      'missing credentials: send HTTP Basic with an API key (or a run\'s state credentials) as the password, or "Authorization: Bearer <api key>"',
    );
  }
  if (secret.startsWith(RUN_CREDENTIAL_PREFIX)) {
    const run = await findRunByStateCredentialHash(db, hashSecret(secret));
    if (run === null) throw new UnauthorizedError('invalid credentials (a run\'s state credentials end when newer ones are minted or they are revoked)');
    return { kind: 'run', run };
  }
  const caller = await callerWithSecret(db, reads, secret);
  if (caller === null) throw new UnauthorizedError('invalid credentials');
  return { kind: 'api-key', caller };
}

/** The principal the state rules judge, for a request about a stack in `spaceId`. */
export function statePrincipal(credential: StateCredential, spaceId: string): StatePrincipal {
  if (credential.kind === 'run') {
    const { run } = credential;
    return { kind: 'run', runId: run.runId, stackId: run.stackId, runKind: run.kind, runState: run.state };
  }
  const { caller } = credential;
  return { kind: 'api-key', apiKeyId: caller.apiKey.id, apiKeyName: caller.apiKey.name, role: caller.roleOn(spaceId) };
}
