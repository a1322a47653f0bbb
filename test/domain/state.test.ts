import { isActiveRunState, RUN_STATES, TERMINAL_RUN_STATES } from '../../src/domain/run-states';
import {
  BACKEND_OVERRIDE_CONTENT,
  describeStatePrincipal,
  lockDecision,
  parseLockInfo,
  parseStateHeader,
  sameLockId,
  stateAccess,
  stateBackendEnvironment,
  unlockDecision,
  unlockRequestId,
  writeLockProblem,
  writeVersionDecision,
  type StateOperation,
  type StatePrincipal,
  type StateRole,
} from '../../src/domain/state';

const OPERATIONS: StateOperation[] = ['read', 'write', 'lock', 'unlock', 'force-unlock'];

function apiKey(role: StateRole | null): StatePrincipal {
  return { kind: 'api-key', apiKeyId: 'key-1', apiKeyName: 'ci', role };
}

function run(runKind: 'TRACKED' | 'PROPOSED', runState = 'PLANNING', stackId = 'app'): StatePrincipal {
  return { kind: 'run', runId: 'run-1', stackId, runKind, runState };
}

/** The status each operation gets, in OPERATIONS order (200 = allowed). */
function statuses(principal: StatePrincipal, stackId = 'app'): number[] {
  return OPERATIONS.map((operation) => {
    const access = stateAccess(principal, stackId, operation);
    return access.allowed ? 200 : access.status;
  });
}

describe('who may do what to a state', () => {
  //                                          read write lock unlock force-unlock
  it.each([
    ['an API key without access to the space', apiKey(null), [404, 404, 404, 404, 404]],
    ['an API key with read', apiKey('read'), [200, 403, 403, 403, 403]],
    ['an API key with write', apiKey('write'), [200, 403, 403, 403, 403]],
    ['an API key with admin', apiKey('admin'), [200, 200, 200, 200, 200]],
    ['a PROPOSED run that is planning', run('PROPOSED'), [200, 403, 403, 403, 403]],
    ['a TRACKED run that is applying', run('TRACKED', 'APPLYING'), [200, 200, 200, 200, 403]],
    ['a TRACKED run waiting for confirmation', run('TRACKED', 'UNCONFIRMED'), [200, 200, 200, 200, 403]],
    ['a TRACKED run that finished', run('TRACKED', 'FINISHED'), [401, 401, 401, 401, 401]],
    ['a PROPOSED run that failed', run('PROPOSED', 'FAILED'), [401, 401, 401, 401, 401]],
    ['a run that was canceled', run('TRACKED', 'CANCELED'), [401, 401, 401, 401, 401]],
    ['a run that was discarded', run('TRACKED', 'DISCARDED'), [401, 401, 401, 401, 401]],
    ['a run in a state nobody knows', run('TRACKED', 'EXPLODED'), [401, 401, 401, 401, 401]],
    ["a TRACKED run on another stack's state", run('TRACKED', 'APPLYING', 'other'), [404, 404, 404, 404, 404]],
  ])('%s', (_who, principal, expected) => {
    expect(statuses(principal)).toEqual(expected);
  });

  it('says why, naming the role or the run kind', () => {
    expect(stateAccess(apiKey('write'), 'app', 'lock')).toEqual({
      allowed: false,
      status: 403,
      reason: 'to lock the state of stack "app" an API key needs the admin role on the stack\'s space (it has write)',
    });
    expect(stateAccess(run('PROPOSED'), 'app', 'write')).toMatchObject({ reason: 'a PROPOSED run may not write the state; its credentials allow: read' });
    expect(stateAccess(run('TRACKED', 'FINISHED'), 'app', 'read')).toMatchObject({
      reason: 'the state credentials of run run-1 expired when the run ended (FINISHED)',
    });
  });

  it('names the holder in Who, with what the client said', () => {
    expect(describeStatePrincipal(run('TRACKED'), 'root@worker-1')).toBe('Liftgate run run-1 (TRACKED) of stack app, root@worker-1');
    expect(describeStatePrincipal(apiKey('admin'), '')).toBe('API key "ci" (key-1)');
  });
});

describe('run states', () => {
  it('are active until a terminal state', () => {
    expect(RUN_STATES.filter(isActiveRunState)).toEqual(['QUEUED', 'PREPARING', 'INITIALIZING', 'PLANNING', 'UNCONFIRMED', 'CONFIRMED', 'APPLYING']);
    expect([...TERMINAL_RUN_STATES].some(isActiveRunState)).toBe(false);
    expect(isActiveRunState('queued')).toBe(false);
  });
});

describe('lock matching', () => {
  const held = { id: 'lock-a', holderActive: true };
  const stale = { id: 'lock-a', holderActive: false };

  it('compares IDs exactly', () => {
    expect(sameLockId('lock-a', 'lock-a')).toBe(true);
    expect(sameLockId('lock-a', 'lock-b')).toBe(false);
    expect(sameLockId('lock-a', 'lock-aa')).toBe(false);
    expect(sameLockId('lock-a', 'LOCK-A')).toBe(false);
    expect(sameLockId('', '')).toBe(true);
  });

  it.each([
    ['an unlocked state', null, 'lock-b', 'acquire'],
    ['a state whose holder ended', stale, 'lock-b', 'acquire'],
    ['the same ID again (a retried request)', held, 'lock-a', 'already-held'],
    ['a state locked by another', held, 'lock-b', 'conflict'],
  ] as const)('lock on %s → %s', (_what, current, requested, expected) => {
    expect(lockDecision(current, requested)).toBe(expected);
  });

  it.each([
    ['an unlocked state, with an ID (a retried unlock)', null, 'lock-a', 'not-locked'],
    ['an unlocked state, forced', null, null, 'not-locked'],
    ['its own lock', held, 'lock-a', 'release'],
    ["another's lock", held, 'lock-b', 'conflict'],
    ["another's lock, forced (no ID)", held, null, 'release'],
    ['a stale lock with another ID', stale, 'lock-b', 'release'],
  ] as const)('unlock of %s → %s', (_what, current, given, expected) => {
    expect(unlockDecision(current, given)).toBe(expected);
  });

  it.each([
    ['unlocked, no ID', null, null, null],
    ['unlocked, an ID', null, 'lock-a', /not locked \(was its lock force-unlocked\?\)/],
    ['locked, its ID', held, 'lock-a', null],
    ['locked, no ID', held, null, /must carry the lock's \?ID=/],
    ['locked, another ID', held, 'lock-b', /locked with another ID \(lock-a\)/],
    ['a stale lock, no ID', stale, null, null],
    ['a stale lock, its ID', stale, 'lock-a', /not locked/],
  ] as const)('write on %s', (_what, current, given, expected) => {
    const problem = writeLockProblem(current, given);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

describe('state documents', () => {
  it('drops a Terraform version it could not store', () => {
    expect(parseStateHeader('{"version":4,"terraform_version":"1\\u0000","serial":3,"lineage":"abc"}')).toMatchObject({ header: { terraformVersion: null } });
  });

  it('reads version, serial, lineage and the Terraform version', () => {
    expect(parseStateHeader('{"version":4,"terraform_version":"1.11.4","serial":3,"lineage":"abc","outputs":{}}')).toEqual({
      header: { version: 4, serial: 3, lineage: 'abc', terraformVersion: '1.11.4' },
    });
    expect(parseStateHeader('{"version":4,"serial":0,"lineage":"abc"}')).toEqual({ header: { version: 4, serial: 0, lineage: 'abc', terraformVersion: null } });
  });

  it.each([
    ['not JSON', '{', 'the state is not valid JSON'],
    ['an array', '[]', 'the state must be a JSON object'],
    ['null', 'null', 'the state must be a JSON object'],
    ['no version', '{"serial":1,"lineage":"a"}', 'the state has no valid "version" (a positive integer)'],
    ['a negative serial', '{"version":4,"serial":-1,"lineage":"a"}', 'the state has no valid "serial" (a non-negative integer)'],
    ['a fractional serial', '{"version":4,"serial":1.5,"lineage":"a"}', 'the state has no valid "serial" (a non-negative integer)'],
    ['a serial as text', '{"version":4,"serial":"1","lineage":"a"}', 'the state has no valid "serial" (a non-negative integer)'],
    ['a huge serial', '{"version":4,"serial":1e300,"lineage":"a"}', 'the state has no valid "serial" (a non-negative integer)'],
    ['an empty lineage', '{"version":4,"serial":1,"lineage":""}', 'the state has no valid "lineage" (a non-empty string of at most 200 characters)'],
    ['a lineage that is a number', '{"version":4,"serial":1,"lineage":7}', 'the state has no valid "lineage" (a non-empty string of at most 200 characters)'],
    ['a lineage with NUL', '{"version":4,"serial":1,"lineage":"a\\u0000"}', 'the state has no valid "lineage" (a non-empty string of at most 200 characters)'],
  ])('refuses %s', (_what, text, problem) => {
    expect(parseStateHeader(text)).toEqual({ problem });
  });
});

describe('which writes become versions', () => {
  const current = { serial: 5, lineage: 'L', md5: 'm5' };

  it.each([
    ['the first write', null, { serial: 0, lineage: 'L', md5: 'x' }, 'store'],
    ['the next serial', current, { serial: 6, lineage: 'L', md5: 'm6' }, 'store'],
    ['a serial that skips ahead', current, { serial: 9, lineage: 'L', md5: 'm9' }, 'store'],
    ['the same bytes again (a retry)', current, { serial: 5, lineage: 'L', md5: 'm5' }, 'unchanged'],
    ['a new lineage with a lower serial (state push -force)', current, { serial: 1, lineage: 'M', md5: 'x' }, 'store'],
  ] as const)('%s → %s', (_what, stored, incoming, expected) => {
    expect(writeVersionDecision(stored, incoming)).toBe(expected);
  });

  it('refuses a serial that goes backwards, and the same serial with other content', () => {
    expect(writeVersionDecision(current, { serial: 4, lineage: 'L', md5: 'm4' })).toEqual({
      conflict: "the state's serial goes backwards: 4 is older than the stored 5 of lineage L",
    });
    expect(writeVersionDecision(current, { serial: 5, lineage: 'L', md5: 'other' })).toEqual({
      conflict: expect.stringMatching(/^serial 5 of lineage L is already stored with other content/),
    });
  });
});

describe('LockInfo', () => {
  it('keeps the fields Terraform sends and ignores others', () => {
    const sent = '{"ID":"f8fe","Operation":"OperationTypeApply","Info":"","Who":"root@vm","Version":"1.11.4","Created":"2026-01-01T00:00:00Z","Path":"","Extra":1}';
    expect(parseLockInfo(sent)).toEqual({
      lockInfo: { ID: 'f8fe', Operation: 'OperationTypeApply', Info: '', Who: 'root@vm', Version: '1.11.4', Path: '' },
    });
  });

  it.each([
    ['an empty body', '', /not valid JSON/],
    ['no ID', '{"Who":"x"}', /no valid "ID"/],
    ['an empty ID', '{"ID":""}', /no valid "ID"/],
    ['a numeric Who', '{"ID":"a","Who":5}', /"Who" must be a string/],
    ['a huge Info', JSON.stringify({ ID: 'a', Info: 'x'.repeat(5000) }), /"Info" must be a string of at most 4096/],
    ['a NUL in Who', '{"ID":"a","Who":"x\\u0000"}', /"Who" must be a string of at most 4096 characters without NUL/],
    ['a lone surrogate in the ID', '{"ID":"\\ud800"}', /no valid "ID"/],
  ])('refuses %s', (_what, text, problem) => {
    expect(parseLockInfo(text)).toEqual({ problem: expect.stringMatching(problem) });
  });

  it('finds the ID of an unlock in the body or the query; none is a force-unlock', () => {
    expect(unlockRequestId('{"ID":"abc","Who":"x"}', undefined)).toBe('abc');
    expect(unlockRequestId('', 'abc')).toBe('abc');
    expect(unlockRequestId('{"ID":"body"}', 'query')).toBe('query');
    expect(unlockRequestId('', undefined)).toBeNull();
    expect(unlockRequestId('  ', '')).toBeNull();
    expect(unlockRequestId('{"Who":"x"}', undefined)).toBeNull();
  });
});

describe("a run's backend", () => {
  it('is an empty http block configured by TF_HTTP_* with GitLab lock methods', () => {
    expect(BACKEND_OVERRIDE_CONTENT).toBe('terraform {\n  backend "http" {}\n}\n');
    expect(stateBackendEnvironment({ endpoint: 'https://liftgate.example.com/', stackId: 'app 1', username: 'run', password: 'lgr_x' })).toEqual({
      TF_HTTP_ADDRESS: 'https://liftgate.example.com/api/v1/stacks/app%201/state',
      TF_HTTP_LOCK_ADDRESS: 'https://liftgate.example.com/api/v1/stacks/app%201/state/lock',
      TF_HTTP_UNLOCK_ADDRESS: 'https://liftgate.example.com/api/v1/stacks/app%201/state/lock',
      TF_HTTP_LOCK_METHOD: 'POST',
      TF_HTTP_UNLOCK_METHOD: 'DELETE',
      TF_HTTP_USERNAME: 'run',
      TF_HTTP_PASSWORD: 'lgr_x',
    });
  });
});
