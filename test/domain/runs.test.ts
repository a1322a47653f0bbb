import {
  branchesToLookUp,
  eventStartsNoRun,
  pathUnderRoot,
  pushReachesRoot,
  ZERO_COMMIT,
  manualRun,
  manualRunRefusal,
  runsForEvent,
  type RepositoryEvent,
  type TriggerableStack,
} from '../../src/domain/runs';
import type { ServingIntegration } from '../../src/domain/integrations';

const integration: ServingIntegration = { id: 'platform-bitbucket', isDefault: false };
const defaultIntegration: ServingIntegration = { id: 'company-bitbucket', isDefault: true };

function stack(overrides: Partial<TriggerableStack> & { id: string }): TriggerableStack {
  return {
    integrationId: integration.id,
    detached: false,
    projectKey: 'PLAT',
    repositorySlug: 'network',
    branch: 'main',
    projectRoot: '',
    ...overrides,
  };
}

function push(branches: Array<[string, string]>, repository = { projectKey: 'PLAT', repositorySlug: 'network' }): RepositoryEvent {
  return {
    kind: 'push',
    eventKey: 'repo:refs_changed',
    repository,
    pushedBranches: branches.map(([branch, commit]) => ({ branch, commit, fromCommit: 'e'.repeat(40) })),
  };
}

function pullRequest(targetBranch: string, eventKey = 'pr:opened', replan = false): RepositoryEvent {
  return {
    kind: 'pullRequest',
    eventKey,
    repository: { projectKey: 'PLAT', repositorySlug: 'network' },
    pullRequestId: 12,
    sourceBranch: 'feature/subnet',
    targetBranch,
    commit: 'f'.repeat(40),
    replan,
  };
}

describe('run triggering', () => {
  it('starts a TRACKED run for a push to the tracked branch and PROPOSED for other branches', () => {
    const runs = runsForEvent(push([['main', 'a1'], ['feature/x', 'b2']]), integration, [stack({ id: 's1' })]);
    expect(runs).toEqual([
      { stackId: 's1', kind: 'TRACKED', trigger: 'repo:refs_changed', branch: 'main', commit: 'a1', pullRequestId: null, deliberate: false, note: null },
      { stackId: 's1', kind: 'PROPOSED', trigger: 'repo:refs_changed', branch: 'feature/x', commit: 'b2', pullRequestId: null, deliberate: false, note: null },
    ]);
  });

  it('judges each stack by its own tracked branch', () => {
    const stacks = [stack({ id: 'prod', branch: 'main' }), stack({ id: 'staging', branch: 'refs/heads/develop' })];
    const runs = runsForEvent(push([['develop', 'c3']]), integration, stacks);
    expect(runs.map((run) => [run.stackId, run.kind])).toEqual([
      ['prod', 'PROPOSED'],
      ['staging', 'TRACKED'],
    ]);
  });

  it('matches project keys and repository slugs case-insensitively, as Bitbucket does', () => {
    const stacks = [stack({ id: 's1', projectKey: 'plat', repositorySlug: 'Network' })];
    expect(runsForEvent(push([['main', 'a1']], { projectKey: 'PLAT', repositorySlug: 'network' }), integration, stacks)).toHaveLength(1);
  });

  it('does not match branch names case-insensitively (git branches are case-sensitive)', () => {
    const runs = runsForEvent(push([['Main', 'a1']]), integration, [stack({ id: 's1' })]);
    expect(runs[0].kind).toBe('PROPOSED');
  });

  it('ignores stacks on other repositories or projects', () => {
    const stacks = [stack({ id: 'other-repo', repositorySlug: 'dns' }), stack({ id: 'other-project', projectKey: 'DATA' })];
    expect(runsForEvent(push([['main', 'a1']]), integration, stacks)).toEqual([]);
  });

  it('only reaches stacks that use the delivering integration', () => {
    const stacks = [stack({ id: 'mine' }), stack({ id: 'theirs', integrationId: 'other-bitbucket' }), stack({ id: 'default', integrationId: null })];
    expect(runsForEvent(push([['main', 'a1']]), integration, stacks).map((run) => run.stackId)).toEqual(['mine']);
    expect(runsForEvent(push([['main', 'a1']]), defaultIntegration, stacks).map((run) => run.stackId)).toEqual(['default']);
  });

  it('gives detached stacks nothing', () => {
    const stacks = [stack({ id: 'detached', integrationId: null, detached: true })];
    expect(runsForEvent(push([['main', 'a1']]), defaultIntegration, stacks)).toEqual([]);
    expect(runsForEvent(pullRequest('main'), defaultIntegration, stacks)).toEqual([]);
  });

  it('starts a PROPOSED run of the source commit for a pull request targeting the tracked branch', () => {
    const runs = runsForEvent(pullRequest('main', 'pr:from_ref_updated'), integration, [stack({ id: 's1' })]);
    expect(runs).toEqual([
      { stackId: 's1', kind: 'PROPOSED', trigger: 'pr:from_ref_updated', branch: 'feature/subnet', commit: 'f'.repeat(40), pullRequestId: 12, deliberate: false, note: null },
    ]);
  });

  it('marks the run of a /liftgate plan comment as deliberate, so it is made even when the commit has one', () => {
    const [run] = runsForEvent(pullRequest('main', 'pr:comment:added', true), integration, [stack({ id: 's1' })]);
    expect(run).toMatchObject({ kind: 'PROPOSED', trigger: 'pr:comment:added', deliberate: true, note: null });
  });

  it('ignores pull requests that target another branch', () => {
    expect(runsForEvent(pullRequest('release/1.x'), integration, [stack({ id: 's1' })])).toEqual([]);
  });

  it('triggers a TRACKED manual run of the tracked branch unless the stack is detached', () => {
    expect(manualRun({ id: 's1', branch: 'refs/heads/main' }, null)).toEqual({
      stackId: 's1',
      kind: 'TRACKED',
      trigger: 'manual',
      branch: 'main',
      commit: null,
      pullRequestId: null,
      deliberate: true,
      note: null,
    });
    expect(manualRunRefusal({ detached: false, branch: 'main' })).toBeNull();
    expect(manualRunRefusal({ detached: true, branch: 'main' })).toMatch(/detached/);
  });

  it('makes runs only of full commit ids and valid branch names (a stack stored before the checks is refused)', () => {
    expect(manualRun({ id: 's1', branch: 'main' }, 'ABCDEF'.repeat(6) + '0123')).toMatchObject({ commit: 'abcdef'.repeat(6) + '0123' });
    expect(() => manualRun({ id: 's1', branch: 'main' }, '$(id)')).toThrow(/commit must be a full commit id/);
    expect(() => manualRun({ id: 's1', branch: '../etc' }, null)).toThrow(/branch must be a valid Git branch name/);
    expect(manualRunRefusal({ detached: false, branch: 'a..b' })).toMatch(/vcs.branch must be a valid Git branch name \(it contains "\.\."\)/);
  });
});

describe("Spacelift's triggering rules (SPEC §1)", () => {
  it.each([
    ['infra/main.tf', 'infra', true],
    ['infra', 'infra', true],
    ['infra/modules/x.tf', 'infra/', true],
    ['infrastructure/main.tf', 'infra', false],
    ['README.md', 'infra', false],
    ['README.md', '', true],
    ['anything/at/all', './', true],
  ])('%s lies under project root %j: %s', (path, root, expected) => {
    expect(pathUnderRoot(path, root)).toBe(expected);
  });

  it.each([
    ['an empty root takes every push', '', { known: true as const, paths: ['docs/x.md'] }, true, null],
    ['a push touching the root starts a run', 'infra', { known: true as const, paths: ['docs/x.md', 'infra/main.tf'] }, true, null],
    ['a push touching only files outside starts nothing', 'infra', { known: true as const, paths: ['docs/x.md'] }, false, null],
    ['an empty push (no files) starts nothing under a root', 'infra', { known: true as const, paths: [] }, false, null],
    ['a failed look-up starts the run, noted', 'infra', { known: false as const, why: 'Bitbucket answered 500' }, true, /Bitbucket answered 500/],
  ])('%s', (_name, root, changed, starts, note) => {
    const reach = pushReachesRoot(changed, root);
    expect(reach.starts).toBe(starts);
    if (note === null) expect(reach.note).toBeNull();
    else expect(reach.note).toMatch(note);
  });

  it('runs for a push only on the stacks whose root it touched; a new branch runs anyway with a note', () => {
    const stacks = [stack({ id: 'net', projectRoot: 'net' }), stack({ id: 'dns', projectRoot: 'dns' }), stack({ id: 'all' })];
    const pushed = { branch: 'main', commit: 'a'.repeat(40), fromCommit: 'b'.repeat(40) };
    const event: RepositoryEvent = { kind: 'push', eventKey: 'repo:refs_changed', repository: { projectKey: 'PLAT', repositorySlug: 'network' }, pushedBranches: [pushed] };
    expect(branchesToLookUp(event, integration, stacks)).toEqual([pushed]);
    const runs = runsForEvent(event, integration, stacks, () => ({ known: true, paths: ['net/main.tf'] }));
    expect(runs.map((run) => [run.stackId, run.note])).toEqual([
      ['net', null],
      ['all', null],
    ]);

    const created = { ...pushed, branch: 'feature/new', fromCommit: ZERO_COMMIT };
    const newBranch: RepositoryEvent = { ...event, pushedBranches: [created] };
    expect(branchesToLookUp(newBranch, integration, stacks)).toEqual([]);
    const proposed = runsForEvent(newBranch, integration, stacks);
    expect(proposed.map((run) => run.stackId)).toEqual(['net', 'dns', 'all']);
    expect(proposed[0]!.note).toMatch(/created the branch/);
    expect(proposed[2]!.note).toBeNull();
    // Without a rooted stack there is nothing to look up.
    expect(branchesToLookUp(event, integration, [stack({ id: 'all' })])).toEqual([]);
  });

  it.each([
    ['pr:opened', false, 1],
    ['pr:from_ref_updated', false, 1],
    ['pr:modified', false, 1],
    ['pr:reviewer:approved', false, 0],
    ['pr:reviewer:unapproved', false, 0],
    ['pr:merged', false, 0],
    ['pr:comment:added', false, 0],
    ['pr:comment:added', true, 1],
  ])('%s (a /liftgate plan comment: %s) starts %i run(s)', (eventKey, replan, count) => {
    const event = pullRequest('main', eventKey, replan);
    expect(runsForEvent(event, integration, [stack({ id: 's1', projectRoot: 'elsewhere' })])).toHaveLength(count);
    expect(eventStartsNoRun(event) === null).toBe(count === 1);
  });
});
