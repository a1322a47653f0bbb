import { planTextOfLog } from '../../src/domain/run-work';
import {
  actionOutcome,
  deltaFromActions,
  deltaSummary,
  holdsStackLock,
  nextStates,
  STACK_LOCK_STATES,
  stateAfterPlan,
  transitionProblem,
  type RunKind,
} from '../../src/domain/run-lifecycle';
import { RUN_STATES, TERMINAL_RUN_STATES, type RunState } from '../../src/domain/run-states';

describe('run state machine (SPEC §7.1)', () => {
  it.each<[RunKind, RunState, RunState, boolean]>([
    ['TRACKED', 'QUEUED', 'PREPARING', true],
    ['TRACKED', 'PREPARING', 'INITIALIZING', true],
    ['TRACKED', 'INITIALIZING', 'PLANNING', true],
    ['TRACKED', 'PLANNING', 'APPLYING', true],
    ['TRACKED', 'PLANNING', 'UNCONFIRMED', true],
    ['TRACKED', 'PLANNING', 'FINISHED', true],
    ['TRACKED', 'UNCONFIRMED', 'CONFIRMED', true],
    ['TRACKED', 'UNCONFIRMED', 'DISCARDED', true],
    ['TRACKED', 'CONFIRMED', 'APPLYING', true],
    ['TRACKED', 'APPLYING', 'FINISHED', true],
    ['TRACKED', 'APPLYING', 'CANCELED', true],
    ['TRACKED', 'QUEUED', 'APPLYING', false],
    ['TRACKED', 'UNCONFIRMED', 'APPLYING', false],
    ['TRACKED', 'FINISHED', 'FAILED', false],
    ['TRACKED', 'CANCELED', 'QUEUED', false],
    ['PROPOSED', 'PLANNING', 'FINISHED', true],
    ['PROPOSED', 'PLANNING', 'APPLYING', false],
    ['PROPOSED', 'PLANNING', 'UNCONFIRMED', false],
    ['PROPOSED', 'PREPARING', 'CANCELED', true],
  ])('%s %s → %s allowed: %s', (kind, from, to, allowed) => {
    expect(transitionProblem(kind, from, to) === null).toBe(allowed);
  });

  it('terminal states go nowhere and every non-terminal state can be canceled and can fail', () => {
    for (const kind of ['TRACKED', 'PROPOSED'] as const) {
      for (const state of RUN_STATES) {
        if (TERMINAL_RUN_STATES.has(state)) expect(nextStates(kind, state)).toEqual([]);
        else if (nextStates(kind, state).length > 0) expect(nextStates(kind, state)).toEqual(expect.arrayContaining(['CANCELED', 'FAILED']));
      }
    }
    expect(transitionProblem('TRACKED', 'FINISHED', 'APPLYING')).toBe('the run has ended (FINISHED)');
  });

  it.each([
    ['PROPOSED', true, true, 'FINISHED'],
    ['PROPOSED', true, false, 'FINISHED'],
    ['TRACKED', false, true, 'FINISHED'],
    ['TRACKED', false, false, 'FINISHED'],
    ['TRACKED', true, true, 'APPLYING'],
    ['TRACKED', true, false, 'UNCONFIRMED'],
  ] as const)('after a plan: %s, changes %s, autodeploy %s → %s', (kind, hasChanges, autodeploy, next) => {
    expect(stateAfterPlan({ kind, hasChanges, autodeploy })).toBe(next);
  });
});

describe('API actions', () => {
  it.each([
    ['confirm', 'TRACKED', 'UNCONFIRMED', false, { to: 'CONFIRMED' }],
    ['discard', 'TRACKED', 'UNCONFIRMED', false, { to: 'DISCARDED' }],
    ['cancel', 'TRACKED', 'QUEUED', false, { to: 'CANCELED' }],
    ['cancel', 'TRACKED', 'UNCONFIRMED', false, { to: 'CANCELED' }],
    ['cancel', 'TRACKED', 'PLANNING', true, { request: 'cancel' }],
    ['cancel', 'PROPOSED', 'APPLYING', true, { request: 'cancel' }],
  ] as const)('%s on a %s run in %s (executing: %s)', (action, kind, state, executing, outcome) => {
    expect(actionOutcome(action, { kind, state, executing })).toEqual(outcome);
  });

  it.each([
    ['confirm', 'TRACKED', 'PLANNING'],
    ['confirm', 'PROPOSED', 'FINISHED'],
    ['discard', 'TRACKED', 'FINISHED'],
    ['cancel', 'TRACKED', 'FINISHED'],
    ['cancel', 'PROPOSED', 'CANCELED'],
  ] as const)('refuses %s on a %s run in %s, naming the state', (action, kind, state) => {
    const outcome = actionOutcome(action, { kind, state, executing: false });
    expect(outcome).toEqual({ problem: expect.stringContaining(`the run is ${state}`) });
  });
});

describe('stack lock', () => {
  it('is held by a TRACKED run past QUEUED until it ends, never by a PROPOSED one', () => {
    expect(RUN_STATES.filter((state) => holdsStackLock({ kind: 'TRACKED', state }))).toEqual([
      'PREPARING',
      'INITIALIZING',
      'PLANNING',
      'UNCONFIRMED',
      'CONFIRMED',
      'APPLYING',
    ]);
    expect(RUN_STATES.filter((state) => holdsStackLock({ kind: 'PROPOSED', state }))).toEqual([]);
    expect(STACK_LOCK_STATES).toEqual(RUN_STATES.filter((state) => holdsStackLock({ kind: 'TRACKED', state })));
  });
});

describe('delta', () => {
  it('counts as Terraform does: a replacement is one add and one destroy; reads and no-ops count nothing', () => {
    const delta = deltaFromActions([['create'], ['update'], ['delete', 'create'], ['create', 'delete'], ['no-op'], ['read'], ['delete']]);
    expect(delta).toEqual({ add: 3, change: 1, destroy: 3 });
    expect(deltaSummary(delta)).toBe('+3 ~1 -3');
  });
});

describe('planTextOfLog: the plan a run printed, from its log (a pull-request comment owed after the run ended)', () => {
  const log = [
    'Fetching PLAT/network at 0123',
    '$ terraform init -input=false -no-color',
    'Terraform has been successfully initialized!',
    '$ terraform plan -input=false -no-color -detailed-exitcode -lock=false -out=liftgate.tfplan',
    '',
    'Terraform will perform the following actions:',
    '  # terraform_data.marker will be created',
    'Plan: 1 to add, 0 to change, 0 to destroy.',
    '',
    '$ terraform show -json liftgate.tfplan',
    '',
  ].join('\n');

  it.each([
    ['up to the next command', log, '\nTerraform will perform the following actions:\n  # terraform_data.marker will be created\nPlan: 1 to add, 0 to change, 0 to destroy.'],
    ['up to the run\'s last word', 'x\n$ terraform plan -out=p\nError: Invalid expression\nFailed: terraform plan failed: Error: Invalid expression\n', 'Error: Invalid expression'],
    ['to the end of the log', '$ terraform plan\nNo changes.', 'No changes.'],
  ])('%s', (_what, text, expected) => {
    expect(planTextOfLog(text)).toBe(expected);
  });

  it('is null for a log without a plan, or with an empty one', () => {
    expect(planTextOfLog('$ terraform init\nError: bad\nFailed: terraform init failed\n')).toBeNull();
    expect(planTextOfLog('$ terraform plan\n\n$ terraform show -json p\n')).toBeNull();
  });
});
