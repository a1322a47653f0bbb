import {
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
    ...overrides,
  };
}

function push(branches: Array<[string, string]>, repository = { projectKey: 'PLAT', repositorySlug: 'network' }): RepositoryEvent {
  return {
    kind: 'push',
    eventKey: 'repo:refs_changed',
    repository,
    pushedBranches: branches.map(([branch, commit]) => ({ branch, commit })),
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
      { stackId: 's1', kind: 'TRACKED', trigger: 'repo:refs_changed', branch: 'main', commit: 'a1', pullRequestId: null, deliberate: false },
      { stackId: 's1', kind: 'PROPOSED', trigger: 'repo:refs_changed', branch: 'feature/x', commit: 'b2', pullRequestId: null, deliberate: false },
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
      { stackId: 's1', kind: 'PROPOSED', trigger: 'pr:from_ref_updated', branch: 'feature/subnet', commit: 'f'.repeat(40), pullRequestId: 12, deliberate: false },
    ]);
  });

  it('marks the run of a /liftgate plan comment as deliberate, so it is made even when the commit has one', () => {
    const [run] = runsForEvent(pullRequest('main', 'pr:comment:added', true), integration, [stack({ id: 's1' })]);
    expect(run).toMatchObject({ kind: 'PROPOSED', trigger: 'pr:comment:added', deliberate: true });
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
