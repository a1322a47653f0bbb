import type { Stack } from '../../src/domain/model';
import {
  integrationServes,
  servingIntegration,
  strandedByEndingInheritance,
  strandedByMove,
} from '../../src/domain/integrations';
import { SpaceTree } from '../../src/domain/spaces';

// root ─── platform (inherits) ─── web (inherits)
//     └─── data
const tree = new SpaceTree([
  { id: 'root', parentSpaceId: null, inheritEntities: false },
  { id: 'platform', parentSpaceId: 'root', inheritEntities: true },
  { id: 'web', parentSpaceId: 'platform', inheritEntities: true },
  { id: 'data', parentSpaceId: 'root', inheritEntities: false },
]);

const company = { id: 'company', isDefault: true, spaceId: 'root' };
const ops = { id: 'ops', isDefault: false, spaceId: 'platform' };

function stack(id: string, spaceId: string, integrationId: string | null, detached = false): Pick<Stack, 'id' | 'spaceId' | 'vcs' | 'detached'> {
  return { id, spaceId, detached, vcs: { integrationId, projectKey: 'PLAT', repositorySlug: id, branch: 'main', projectRoot: '' } };
}

describe('which stacks an integration serves', () => {
  it('serves stacks naming it, the default one also stacks naming none, and never a detached stack', () => {
    expect(integrationServes(ops, { integrationId: 'ops', detached: false })).toBe(true);
    expect(integrationServes(ops, { integrationId: null, detached: false })).toBe(false);
    expect(integrationServes(company, { integrationId: null, detached: false })).toBe(true);
    expect(integrationServes(company, { integrationId: 'ops', detached: false })).toBe(false);
    expect(integrationServes(ops, { integrationId: 'ops', detached: true })).toBe(false);
    expect(integrationServes(company, { integrationId: null, detached: true })).toBe(false);
  });

  it('finds the one integration serving a stack', () => {
    expect(servingIntegration({ integrationId: null, detached: false }, [ops, company])).toBe(company);
    expect(servingIntegration({ integrationId: 'ops', detached: false }, [company, ops])).toBe(ops);
    expect(servingIntegration({ integrationId: 'gone', detached: false }, [company, ops])).toBeUndefined();
    expect(servingIntegration({ integrationId: null, detached: true }, [company, ops])).toBeUndefined();
  });
});

describe('changes that would strand stacks', () => {
  const stacks = [stack('in-web', 'web', 'ops'), stack('in-platform', 'platform', 'ops'), stack('default', 'web', null), stack('cut', 'data', null, true)];

  it('moving an integration strands the stacks it serves that cannot reach the new space', () => {
    expect(strandedByMove(tree, ops, 'web', stacks).map((s) => s.id)).toEqual(['in-platform']);
    expect(strandedByMove(tree, ops, 'root', stacks)).toEqual([]);
    expect(strandedByMove(tree, ops, 'data', stacks).map((s) => s.id)).toEqual(['in-web', 'in-platform']);
  });

  it('ending inheritance strands stacks below that reach their integration only through it', () => {
    expect(strandedByEndingInheritance(tree, 'web', stacks, [company, ops]).map((s) => s.id)).toEqual(['in-web']);
    expect(strandedByEndingInheritance(tree, 'platform', stacks, [company, ops])).toEqual([]);
    const rootIntegration = { id: 'root-level', isDefault: false, spaceId: 'root' };
    const usingRoot = [stack('deep', 'web', 'root-level'), stack('other', 'data', 'root-level')];
    expect(strandedByEndingInheritance(tree, 'platform', usingRoot, [rootIntegration]).map((s) => s.id)).toEqual(['deep']);
  });
});
