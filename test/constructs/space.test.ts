import { Token } from 'cdktf';
import { Space, liftgate } from '../../src';
import { errorOf, newStack, onlyResource, synthesize } from './helpers';

describe('Space', () => {
  test('creates a liftgate_space under root with inheritance off by default', () => {
    const stack = newStack();
    const space = new Space(stack, 'Platform', { name: 'Platform', description: 'The platform team', labels: ['team:platform'] });
    expect(space.node.defaultChild).toBe(space.resource);
    expect(space.resource.node.id).toBe('Resource');
    expect(onlyResource(synthesize(stack), 'liftgate_space')).toEqual({
      name: 'Platform',
      parent_space_id: 'root',
      inherit_entities: false,
      description: 'The platform team',
      labels: ['team:platform'],
    });
  });

  test('nests under a parent space through its id', () => {
    const stack = newStack();
    const parent = new Space(stack, 'Platform', { name: 'Platform' });
    new Space(stack, 'Network', { name: 'Network', parent, inheritEntities: true });
    const spaces = synthesize(stack).resource.liftgate_space;
    const network = Object.values(spaces).find((space) => space.name === 'Network');
    const parentAddress = Object.keys(spaces).find((address) => spaces[address].name === 'Platform');
    expect(network).toMatchObject({ parent_space_id: `\${liftgate_space.${parentAddress}.id}`, inherit_entities: true });
  });

  test('fromSpaceId refers to an existing space without creating one', () => {
    const stack = newStack();
    const existing = Space.fromSpaceId(stack, 'Existing', 'platform-4f2a');
    new Space(stack, 'Child', { name: 'Child', parent: existing });
    expect(existing.spaceId).toBe('platform-4f2a');
    expect(onlyResource(synthesize(stack), 'liftgate_space')).toMatchObject({ name: 'Child', parent_space_id: 'platform-4f2a' });
  });

  test('spaceId of a created space is the resource id, known at deploy time', () => {
    const space = new Space(newStack(), 'Platform', { name: 'Platform' });
    expect(Token.isUnresolved(space.spaceId)).toBe(true);
  });

  test('an empty name is reported with the construct path', () => {
    const stack = newStack();
    expect(errorOf(() => new Space(stack, 'Platform', { name: '  ' }))).toBe('Invalid Space at "test/Platform" (1 problem):\n  - name: must not be empty');
    const unset: Record<string, string | undefined> = {};
    expect(errorOf(() => new Space(newStack(), 'Platform', { name: unset.SPACE! }))).toBe(
      'Invalid Space at "test/Platform" (1 problem):\n  - name: is required but is undefined (is an environment variable it is read from unset?)',
    );
  });

  test('every problem is reported at once: empty name, empty and duplicate labels', () => {
    const message = errorOf(() => new Space(newStack(), 'Platform', { name: '', labels: ['a', '', 'a'] }));
    expect(message).toContain('(3 problems)');
    expect(message).toContain('name: must not be empty');
    expect(message).toContain('labels[1]: must not be empty');
    expect(message).toContain('labels[2]: duplicate label "a"');
  });

  test('an empty id for fromSpaceId is refused', () => {
    expect(errorOf(() => Space.fromSpaceId(newStack(), 'Existing', ''))).toContain('"test/Existing"');
  });

  test('a name known only at deploy time is not validated', () => {
    const stack = newStack();
    const other = new liftgate.dataLiftgateSpace.DataLiftgateSpace(stack, 'Other', { id: 'root' });
    expect(() => new Space(stack, 'Copy', { name: other.name })).not.toThrow();
  });
});
