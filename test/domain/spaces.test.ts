import { roleSatisfies, slugify, SpaceTree, stackMayUseIntegration } from '../../src/domain/spaces';

// root ─┬─ platform (inherits) ─── web (inherits) ─── frontend (no inherit)
//       └─ data (no inherit) ───── warehouse (inherits)
const tree = new SpaceTree([
  { id: 'root', parentSpaceId: null, inheritEntities: false },
  { id: 'platform', parentSpaceId: 'root', inheritEntities: true },
  { id: 'web', parentSpaceId: 'platform', inheritEntities: true },
  { id: 'frontend', parentSpaceId: 'web', inheritEntities: false },
  { id: 'data', parentSpaceId: 'root', inheritEntities: false },
  { id: 'warehouse', parentSpaceId: 'data', inheritEntities: true },
]);

describe('space tree rules', () => {
  it('orders roles read < write < admin', () => {
    expect(roleSatisfies('admin', 'write')).toBe(true);
    expect(roleSatisfies('write', 'write')).toBe(true);
    expect(roleSatisfies('read', 'write')).toBe(false);
    expect(roleSatisfies(null, 'read')).toBe(false);
  });

  it('lets a role flow down to every descendant and not up', () => {
    const bindings = [{ spaceId: 'web', role: 'write' as const }];
    expect(tree.roleOn(bindings, 'web')).toBe('write');
    expect(tree.roleOn(bindings, 'frontend')).toBe('write');
    expect(tree.roleOn(bindings, 'data')).toBeNull();
  });

  it('grants read on the spaces a binding inherits entities from, transitively, and not on their other children', () => {
    const bindings = [{ spaceId: 'web', role: 'admin' as const }];
    expect(tree.roleOn(bindings, 'platform')).toBe('read');
    expect(tree.roleOn(bindings, 'root')).toBe('read');
    expect(tree.roleOn(bindings, 'data')).toBeNull();
    expect(tree.roleOn([{ spaceId: 'frontend', role: 'admin' }], 'web')).toBeNull();
    expect(tree.roleOn([{ spaceId: 'warehouse', role: 'read' }], 'data')).toBe('read');
    expect(tree.roleOn([{ spaceId: 'warehouse', role: 'read' }], 'root')).toBeNull();
  });

  it('takes the strongest of several bindings', () => {
    expect(tree.roleOn([{ spaceId: 'root', role: 'read' }, { spaceId: 'platform', role: 'admin' }], 'web')).toBe('admin');
    expect(tree.roleOn([{ spaceId: 'web', role: 'admin' }, { spaceId: 'root', role: 'write' }], 'platform')).toBe('write');
  });

  it('lets a stack use integrations of its space, of ancestors while each link inherits, and the default one', () => {
    expect(stackMayUseIntegration(tree, 'web', { isDefault: false, spaceId: 'web' })).toBe(true);
    expect(stackMayUseIntegration(tree, 'web', { isDefault: false, spaceId: 'platform' })).toBe(true);
    expect(stackMayUseIntegration(tree, 'web', { isDefault: false, spaceId: 'root' })).toBe(true);
    expect(stackMayUseIntegration(tree, 'frontend', { isDefault: false, spaceId: 'web' })).toBe(false);
    expect(stackMayUseIntegration(tree, 'warehouse', { isDefault: false, spaceId: 'root' })).toBe(false);
    expect(stackMayUseIntegration(tree, 'frontend', { isDefault: true, spaceId: 'root' })).toBe(true);
    expect(stackMayUseIntegration(tree, 'platform', { isDefault: false, spaceId: 'web' })).toBe(false);
  });

  it('lists descendants and paths', () => {
    expect(tree.descendants('platform').sort()).toEqual(['frontend', 'web']);
    expect(tree.pathToRoot('frontend')).toEqual(['frontend', 'web', 'platform', 'root']);
  });

  it('gives a complete path to root only when the snapshot holds every space on the way', () => {
    expect(tree.completePathToRoot('warehouse')).toEqual(['warehouse', 'data', 'root']);
    const visible = new SpaceTree([
      { id: 'web', parentSpaceId: 'platform', inheritEntities: true },
      { id: 'frontend', parentSpaceId: 'web', inheritEntities: false },
    ]);
    expect(visible.pathToRoot('frontend')).toEqual(['frontend', 'web']);
    expect(visible.completePathToRoot('frontend')).toBeNull();
    expect(visible.completePathToRoot('nowhere')).toBeNull();
    const cycle = new SpaceTree([
      { id: 'a', parentSpaceId: 'b', inheritEntities: false },
      { id: 'b', parentSpaceId: 'a', inheritEntities: false },
    ]);
    expect(cycle.completePathToRoot('a')).toBeNull();
  });

  it('slugs names into ids', () => {
    expect(slugify('Team Bitbucket (EU)')).toBe('team-bitbucket-eu');
    expect(slugify('  Ünïcode — Names  ')).toBe('unicode-names');
    expect(slugify('***')).toBe('');
    expect(slugify('a'.repeat(100))).toHaveLength(64);
  });
});
