/**
 * The rules of a stack's Terraform state (SPEC §7.4): who may do what to it, how a lock is matched, which writes are
 * accepted, and what a run's Terraform is told about its backend. Pure: the control plane's http backend and the
 * worker apply them; the store keeps what they decide.
 *
 * The protocol is Terraform's `http` backend with GitLab's locking: a lock is taken with POST and released with
 * DELETE on `…/state/lock`, a write made while locked carries the lock's `?ID=`, and an unlock without an ID is a
 * force-unlock.
 */
import { isActiveRunState } from './run-states';

export type StateRole = 'read' | 'write' | 'admin';
export type StateRunKind = 'TRACKED' | 'PROPOSED';

/** What a request does to a state. */
export type StateOperation = 'read' | 'write' | 'lock' | 'unlock' | 'force-unlock';

/**
 * Who is asking: an API key (with the role it holds on the stack's space, null when it cannot read it), or a run's
 * one-off state credentials.
 */
export type StatePrincipal =
  | { kind: 'api-key'; apiKeyId: string; apiKeyName: string; role: StateRole | null }
  | { kind: 'run'; runId: string; stackId: string; runKind: StateRunKind; runState: string };

export type StateAccess = { allowed: true } | { allowed: false; status: 401 | 403 | 404; reason: string };

const ROLE_ORDER: Record<StateRole, number> = { read: 1, write: 2, admin: 3 };

/** The role an API key needs on the stack's space (GitLab: Developer reads, Maintainer writes and locks). */
export const ROLE_FOR_STATE_OPERATION: Readonly<Record<StateOperation, StateRole>> = {
  read: 'read',
  write: 'admin',
  lock: 'admin',
  unlock: 'admin',
  'force-unlock': 'admin',
};

/**
 * What a run's credentials allow, by kind (Spacelift's model): a PROPOSED run only plans (with `-lock=false`), so it
 * reads; a TRACKED run plans and applies, so it also locks, writes and releases its own lock. No run force-unlocks.
 */
export const RUN_STATE_OPERATIONS: Readonly<Record<StateRunKind, readonly StateOperation[]>> = {
  PROPOSED: ['read'],
  TRACKED: ['read', 'write', 'lock', 'unlock'],
};

const OPERATION_WORDS: Record<StateOperation, string> = {
  read: 'read the state',
  write: 'write the state',
  lock: 'lock the state',
  unlock: 'unlock the state',
  'force-unlock': 'force-unlock the state (an unlock without the lock ID)',
};

/**
 * Whether `principal` may perform `operation` on the state of stack `stackId`. A run's credentials stop working when
 * the run ends (401, whatever the operation) and only reach their own stack (404 elsewhere, as for any object the
 * caller cannot read); an API key that cannot read the stack's space gets 404, one that can read but lacks the role
 * 403.
 */
export function stateAccess(principal: StatePrincipal, stackId: string, operation: StateOperation): StateAccess {
  if (principal.kind === 'run') {
    if (!isActiveRunState(principal.runState)) {
      return {
        allowed: false,
        status: 401,
        reason: `the state credentials of run ${principal.runId} expired when the run ended (${principal.runState})`,
      };
    }
    if (principal.stackId !== stackId) return { allowed: false, status: 404, reason: `stack "${stackId}" not found` };
    if (!RUN_STATE_OPERATIONS[principal.runKind].includes(operation)) {
      return {
        allowed: false,
        status: 403,
        reason: `a ${principal.runKind} run may not ${OPERATION_WORDS[operation]}; its credentials allow: ${RUN_STATE_OPERATIONS[principal.runKind].join(', ')}`,
      };
    }
    return { allowed: true };
  }
  if (principal.role === null) return { allowed: false, status: 404, reason: `stack "${stackId}" not found` };
  const needed = ROLE_FOR_STATE_OPERATION[operation];
  if (ROLE_ORDER[principal.role] < ROLE_ORDER[needed]) {
    return {
      allowed: false,
      status: 403,
      reason: `to ${OPERATION_WORDS[operation]} of stack "${stackId}" an API key needs the ${needed} role on the stack's space (it has ${principal.role})`,
    };
  }
  return { allowed: true };
}

/** How a lock's holder appears in LockInfo's `Who`, which Terraform prints to whoever is refused the lock. */
export function describeStatePrincipal(principal: StatePrincipal, clientWho: string): string {
  const who =
    principal.kind === 'run'
      ? `Liftgate run ${principal.runId} (${principal.runKind}) of stack ${principal.stackId}`
      : `API key "${principal.apiKeyName}" (${principal.apiKeyId})`;
  return clientWho === '' ? who : `${who}, ${clientWho}`;
}

/** Equal strings, compared in time that does not depend on where they differ (lock IDs are bearer values). */
export function sameLockId(held: string, given: string): boolean {
  if (held.length !== given.length) return false;
  let difference = 0;
  for (let index = 0; index < held.length; index += 1) difference |= held.charCodeAt(index) ^ given.charCodeAt(index);
  return difference === 0;
}

/** The lock a state holds, as far as the rules need it. */
export interface HeldLock {
  id: string;
  /**
   * Whether its holder can still act on it. A lock held by a run that ended (finished, failed, "worker lost") can
   * never be released by that run, whose credentials no longer work: it is stale and counts as no lock.
   */
  holderActive: boolean;
}

function liveLock(lock: HeldLock | null): HeldLock | null {
  return lock !== null && lock.holderActive ? lock : null;
}

/**
 * A lock request with `requestedId`: taken when the state is unlocked (or its lock is stale); granted again when the
 * same ID already holds it (Terraform retries a request whose answer it lost); otherwise a conflict, answered with
 * the holder's LockInfo.
 */
export function lockDecision(current: HeldLock | null, requestedId: string): 'acquire' | 'already-held' | 'conflict' {
  const live = liveLock(current);
  if (live === null) return 'acquire';
  return sameLockId(live.id, requestedId) ? 'already-held' : 'conflict';
}

/**
 * An unlock with `givenId` (null: no ID, a force-unlock, whose permission is checked before): releases a matching or
 * stale lock; an unlocked state is already what was asked for (a retried unlock succeeds); a different ID is a
 * conflict.
 */
export function unlockDecision(current: HeldLock | null, givenId: string | null): 'release' | 'not-locked' | 'conflict' {
  if (current === null) return 'not-locked';
  if (givenId === null || !current.holderActive || sameLockId(current.id, givenId)) return 'release';
  return 'conflict';
}

/**
 * Whether a write carrying `givenId` (Terraform's `?ID=`, null when absent) may go ahead: on an unlocked state only
 * without an ID, on a locked one only with its ID. A write that names a lock the state no longer has (it was
 * force-unlocked meanwhile) is refused too: its writer believes it holds a lock it lost.
 */
export function writeLockProblem(current: HeldLock | null, givenId: string | null): string | null {
  const live = liveLock(current);
  if (live === null) {
    return givenId === null
      ? null
      : `the write carries lock ID ${givenId}, but the state is not locked (was its lock force-unlocked?); nothing was written`;
  }
  if (givenId === null) return `the state is locked (ID ${live.id}); a write must carry the lock's ?ID=`;
  if (!sameLockId(live.id, givenId)) return `the state is locked with another ID (${live.id}); nothing was written`;
  return null;
}

/** The fields of a Terraform state that decide whether a write is accepted. */
export interface StateHeader {
  /** The state format's version (4 since Terraform 0.12). */
  version: number;
  /** Incremented by Terraform on every change of the state it writes. */
  serial: number;
  /** A state's identity: set when it is created and kept across writes. */
  lineage: string;
  terraformVersion: string | null;
}

/** NUL and unpaired UTF-16 surrogates: JSON can carry them, but no text column or jsonb value can store them. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The header of a Terraform state document, or what is wrong with it. */
export function parseStateHeader(text: string): { header: StateHeader } | { problem: string } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { problem: 'the state is not valid JSON' };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return { problem: 'the state must be a JSON object' };
  const { version, serial, lineage, terraform_version: terraformVersion } = document as Record<string, unknown>;
  if (!Number.isSafeInteger(version) || (version as number) < 1) return { problem: 'the state has no valid "version" (a positive integer)' };
  if (!Number.isSafeInteger(serial) || (serial as number) < 0) return { problem: 'the state has no valid "serial" (a non-negative integer)' };
  if (typeof lineage !== 'string' || lineage === '' || lineage.length > 200 || UNSTORABLE.test(lineage)) {
    return { problem: 'the state has no valid "lineage" (a non-empty string of at most 200 characters)' };
  }
  const knownVersion = typeof terraformVersion === 'string' && !UNSTORABLE.test(terraformVersion) ? terraformVersion.slice(0, 100) : null;
  return { header: { version: version as number, serial: serial as number, lineage, terraformVersion: knownVersion } };
}

/** A stored version of a state, as far as the write rule needs it. */
export interface VersionIdentity {
  serial: number;
  lineage: string;
  /** Base64 MD5 of the exact bytes. */
  md5: string;
}

/**
 * What to do with a write, given the current version: store it as a new version, accept it as the one already
 * stored (the same bytes again: Terraform retries a write whose answer it lost), or refuse it. A serial that goes
 * backwards, or the same serial with other content, for the same lineage means two writers diverged (or an old copy
 * is being pushed back); a different lineage is a new state replacing this one (`terraform state push -force`).
 */
export function writeVersionDecision(current: VersionIdentity | null, incoming: VersionIdentity): 'store' | 'unchanged' | { conflict: string } {
  if (current === null) return 'store';
  if (current.md5 === incoming.md5 && current.serial === incoming.serial && current.lineage === incoming.lineage) return 'unchanged';
  if (current.lineage !== incoming.lineage) return 'store';
  if (incoming.serial < current.serial) {
    return { conflict: `the state's serial goes backwards: ${incoming.serial} is older than the stored ${current.serial} of lineage ${current.lineage}` };
  }
  if (incoming.serial === current.serial) {
    return {
      conflict:
        `serial ${incoming.serial} of lineage ${current.lineage} is already stored with other content; ` +
        'Terraform increments the serial on every change, so two writers diverged',
    };
  }
  return 'store';
}

/** LockInfo as Terraform sends it (a Go struct without JSON tags, hence the capitalised keys). */
export interface ClientLockInfo {
  ID: string;
  Operation: string;
  Info: string;
  Who: string;
  Version: string;
  Path: string;
}

const LOCK_INFO_FIELDS = ['Operation', 'Info', 'Who', 'Version', 'Path'] as const;
const MAX_LOCK_FIELD_LENGTH = 4096;

/** The LockInfo of a lock request, or what is wrong with it. Unknown keys are ignored, as Terraform's own decoder does. */
export function parseLockInfo(text: string): { lockInfo: ClientLockInfo } | { problem: string } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { problem: 'the lock request body is not valid JSON (Terraform sends its LockInfo)' };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return { problem: 'the lock request body must be a LockInfo object' };
  const fields = document as Record<string, unknown>;
  const id = fields.ID;
  if (typeof id !== 'string' || id === '' || id.length > 200 || UNSTORABLE.test(id)) {
    return { problem: 'the LockInfo has no valid "ID" (a non-empty string of at most 200 characters)' };
  }
  const lockInfo: ClientLockInfo = { ID: id, Operation: '', Info: '', Who: '', Version: '', Path: '' };
  for (const name of LOCK_INFO_FIELDS) {
    const value = fields[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.length > MAX_LOCK_FIELD_LENGTH || UNSTORABLE.test(value)) {
      return { problem: `the LockInfo's "${name}" must be a string of at most ${MAX_LOCK_FIELD_LENGTH} characters without NUL` };
    }
    lockInfo[name] = value;
  }
  return { lockInfo };
}

/**
 * The lock ID an unlock request names: the body's LockInfo `ID` (what Terraform sends) or the `?ID=` query; null
 * when neither names one, which is a force-unlock (`terraform force-unlock` sends an empty body).
 */
export function unlockRequestId(body: string, queryId: string | undefined): string | null {
  if (queryId !== undefined && queryId !== '') return queryId;
  if (body.trim() === '') return null;
  const parsed = parseLockInfo(body);
  return 'lockInfo' in parsed ? parsed.lockInfo.ID : null;
}

/** The file the worker adds to a run's root module when the stack's state is managed here (SPEC §7.4). */
export const BACKEND_OVERRIDE_FILE = 'liftgate_backend_override.tf';

/**
 * Its content: an empty http backend, configured entirely by `TF_HTTP_*` variables, so no address or credential is
 * ever written into a file, `.terraform/` or a saved plan.
 */
export const BACKEND_OVERRIDE_CONTENT = 'terraform {\n  backend "http" {}\n}\n';

/** The state's address (`GET|POST`) on a control plane reached at `endpoint`. */
export function stateAddress(endpoint: string, stackId: string): string {
  return `${endpoint.replace(/\/+$/, '')}/api/v1/stacks/${encodeURIComponent(stackId)}/state`;
}

/** The state lock's address (`POST` locks, `DELETE` unlocks). */
export function stateLockAddress(endpoint: string, stackId: string): string {
  return `${stateAddress(endpoint, stackId)}/lock`;
}

/**
 * The environment that points a run's Terraform at its stack's state: every setting of the `http` backend, including
 * GitLab's lock methods (Terraform's defaults are LOCK and UNLOCK), and the run's one-off credentials.
 */
export function stateBackendEnvironment(options: {
  endpoint: string;
  stackId: string;
  username: string;
  password: string;
}): Record<string, string> {
  return {
    TF_HTTP_ADDRESS: stateAddress(options.endpoint, options.stackId),
    TF_HTTP_LOCK_ADDRESS: stateLockAddress(options.endpoint, options.stackId),
    TF_HTTP_UNLOCK_ADDRESS: stateLockAddress(options.endpoint, options.stackId),
    TF_HTTP_LOCK_METHOD: 'POST',
    TF_HTTP_UNLOCK_METHOD: 'DELETE',
    TF_HTTP_USERNAME: options.username,
    TF_HTTP_PASSWORD: options.password,
  };
}
