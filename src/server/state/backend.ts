/**
 * The operations of the state server (SPEC §7.4) on the store: read, write, lock and unlock one stack's state. The
 * rules come from domain/state.ts; this module applies them inside one transaction per change, on the state's row, so
 * concurrent requests (two applies, a retry racing its original) see each other's effects.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  describeStatePrincipal,
  lockDecision,
  parseStateHeader,
  stateAccess,
  unlockDecision,
  writeLockProblem,
  writeVersionDecision,
  ROLE_FOR_STATE_OPERATION,
  type ClientLockInfo,
  type StateOperation,
  type StatePrincipal,
} from '../../domain/state';
import type { Stack } from '../../domain/model';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../errors';
import { stateVersionContext, type SecretBox } from '../secrets';
import type { Database, Queryable } from '../store/database';
import {
  clearStateLock,
  currentStateContent,
  insertStateVersion,
  stateVersionContent,
  lockStateForChange,
  setStateLock,
  type LockInfoJson,
  type StateActor,
  type StateVersionSummary,
  type StoredLock,
} from '../store/state';
import { findStack } from '../store/stacks';
import { statePrincipal, type StateCredential } from './auth';

/** Base64 MD5, the form of Content-MD5. */
export function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

function actorOf(principal: StatePrincipal): StateActor {
  return principal.kind === 'run' ? { kind: 'run', id: principal.runId } : { kind: 'api-key', id: principal.apiKeyId };
}

/** The stack and the principal acting on it, once the caller may perform `operation` on its state. */
export interface StateTarget {
  stack: Stack;
  principal: StatePrincipal;
}

/**
 * Resolves the stack of a state request and checks the caller may perform `operation` on its state: 401 for a run's
 * credentials once the run ended, 404 for a stack the caller cannot read (or another stack than its run's), 403 for a
 * role or run kind that does not allow it, and 409 for a stack whose state the control plane does not manage.
 */
export async function stateTarget(db: Queryable, credential: StateCredential, stackId: string, operation: StateOperation): Promise<StateTarget> {
  const readWithCredential = credential.kind === 'run' && credential.run.stackId === stackId ? credential.run.stack : undefined;
  const stack = readWithCredential === undefined ? await findStack(db, stackId) : readWithCredential;
  const principal = statePrincipal(credential, stack?.spaceId ?? '');
  const access = stateAccess(principal.kind === 'api-key' && stack === null ? { ...principal, role: null } : principal, stackId, operation);
  if (!access.allowed) {
    if (access.status === 401) throw new UnauthorizedError(access.reason);
    if (access.status === 404) throw new NotFoundError(access.reason);
    throw new ForbiddenError(
      access.reason,
      principal.kind === 'run'
        ? { runId: principal.runId, runKind: principal.runKind, operation }
        : { spaceId: stack?.spaceId, role: ROLE_FOR_STATE_OPERATION[operation], apiKeyId: principal.apiKeyId, apiKeyName: principal.apiKeyName, operation },
    );
  }
  if (stack === null) throw new NotFoundError(`stack "${stackId}" not found`);
  if (!stack.manageState) {
    throw new ConflictError(
      `stack "${stackId}" does not keep its Terraform state in Liftgate (manageState is false); set manageState to true to serve ` +
        'its state here again (any state stored before is kept)',
      { stackId, manageState: false },
    );
  }
  return { stack, principal };
}

/** A stored version's exact bytes and their MD5. */
export interface StoredState {
  bytes: Buffer;
  md5: string;
  version: StateVersionSummary;
}

function opened(secrets: SecretBox, stackId: string, stored: { version: StateVersionSummary; sealed: Uint8Array } | null): StoredState | null {
  if (stored === null) return null;
  const bytes = secrets.decryptBytes(stored.sealed, stateVersionContext(stackId, stored.version.id));
  return { bytes, md5: stored.version.md5, version: stored.version };
}

/** The current state, or null when none was written yet. */
export async function readState(db: Queryable, secrets: SecretBox, stackId: string): Promise<StoredState | null> {
  return opened(secrets, stackId, await currentStateContent(db, stackId));
}

/** The newest version with `serial`, or null when there is none. */
export async function readStateVersion(db: Queryable, secrets: SecretBox, stackId: string, serial: number): Promise<StoredState | null> {
  return opened(secrets, stackId, await stateVersionContent(db, stackId, serial));
}

/** Refuses a body whose Content-MD5 header does not match it (400); a body without the header is accepted. */
export function checkContentMd5(body: Uint8Array, header: string | string[] | undefined): void {
  if (header === undefined) return;
  const given = Array.isArray(header) ? header[0] : header;
  if (given === undefined || given === '') return;
  if (given.trim() !== md5Base64(body)) {
    throw new BadRequestError('Content-MD5 does not match the body (it was changed or cut on the way); nothing was stored', { header: 'Content-MD5' });
  }
}

/** What a write did: stored a new version, or found the very same bytes already current (a retry). */
export interface WriteResult {
  outcome: 'stored' | 'unchanged';
  version: StateVersionSummary;
}

/**
 * Writes a new version of the state. `lockId` is Terraform's `?ID=`: required and matching while the state is
 * locked, absent while it is not (409 otherwise). A serial that goes backwards for the same lineage, or the same
 * serial with other content, is refused (409); the same bytes as the current version are accepted without a new one.
 */
export async function writeState(
  db: Database,
  secrets: SecretBox,
  target: StateTarget,
  body: Buffer,
  lockId: string | null,
): Promise<WriteResult> {
  const parsed = parseStateHeader(body.toString('utf8'));
  if ('problem' in parsed) throw new BadRequestError(`${parsed.problem}; nothing was stored`);
  const { header } = parsed;
  const stackId = target.stack.id;
  const md5 = md5Base64(body);
  const id = randomUUID();
  // Sealed before the transaction: encrypting a large state must not hold the state's row.
  const contentSealed = secrets.encryptBytes(body, stateVersionContext(stackId, id));
  return db.transaction(async (tx) => {
    const state = await lockStateForChange(tx, stackId);
    if (state === null) throw new NotFoundError(`stack "${stackId}" not found`);
    const lockProblem = writeLockProblem(state.lock, lockId);
    if (lockProblem !== null) throw new ConflictError(lockProblem, lockDetails(state.lock));
    const decision = writeVersionDecision(state.current, { serial: header.serial, lineage: header.lineage, md5 });
    if (decision === 'unchanged') return { outcome: 'unchanged', version: state.current as StateVersionSummary };
    if (decision !== 'store') {
      throw new ConflictError(`${decision.conflict}; nothing was stored`, {
        serial: header.serial,
        lineage: header.lineage,
        currentSerial: state.current?.serial,
        currentLineage: state.current?.lineage,
      });
    }
    const version = await insertStateVersion(tx, {
      id,
      stackId,
      serial: header.serial,
      lineage: header.lineage,
      terraformVersion: header.terraformVersion,
      md5,
      sizeBytes: body.length,
      contentSealed,
      createdBy: actorOf(target.principal),
    });
    return { outcome: 'stored', version };
  });
}

function lockDetails(lock: StoredLock | null): Record<string, unknown> | undefined {
  return lock === null || !lock.holderActive ? undefined : { lock: lock.info };
}

/** Granted (200 with the lock) or refused because another holds it (409 with the holder's LockInfo). */
export type LockResult = { granted: true; lock: LockInfoJson } | { granted: false; holder: LockInfoJson };

/**
 * Locks the state for `lockInfo.ID`. `Who` and `Created` are the control plane's: Who names the API key or run (with
 * what the client said), so whoever is refused learns who holds it.
 */
export async function lockState(db: Database, target: StateTarget, lockInfo: ClientLockInfo): Promise<LockResult> {
  const stackId = target.stack.id;
  return db.transaction(async (tx) => {
    const state = await lockStateForChange(tx, stackId);
    if (state === null) throw new NotFoundError(`stack "${stackId}" not found`);
    const decision = lockDecision(state.lock, lockInfo.ID);
    if (decision === 'conflict') return { granted: false, holder: (state.lock as StoredLock).info };
    if (decision === 'already-held') return { granted: true, lock: (state.lock as StoredLock).info };
    const info: LockInfoJson = {
      ID: lockInfo.ID,
      Operation: lockInfo.Operation,
      Info: lockInfo.Info,
      Who: describeStatePrincipal(target.principal, lockInfo.Who),
      Version: lockInfo.Version,
      Created: new Date().toISOString(),
      Path: lockInfo.Path,
    };
    await setStateLock(tx, stackId, info, actorOf(target.principal));
    return { granted: true, lock: info };
  });
}

/** Released (the lock that was released, or null when the state was not locked) or refused (409 with the holder). */
export type UnlockResult = { released: LockInfoJson | null } | { conflict: LockInfoJson };

/** Unlocks the state: with `lockId` only its own lock; without (a force-unlock, checked by the caller) any lock. */
export async function unlockState(db: Database, target: StateTarget, lockId: string | null): Promise<UnlockResult> {
  const stackId = target.stack.id;
  return db.transaction(async (tx) => {
    const state = await lockStateForChange(tx, stackId);
    if (state === null) throw new NotFoundError(`stack "${stackId}" not found`);
    const decision = unlockDecision(state.lock, lockId);
    if (decision === 'not-locked') return { released: null };
    const lock = state.lock as StoredLock;
    if (decision === 'conflict') return { conflict: lock.info };
    await clearStateLock(tx, stackId);
    return { released: lock.info };
  });
}
