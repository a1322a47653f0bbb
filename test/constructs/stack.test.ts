import { BitbucketDatacenterIntegration, LiftgateStack, LiftgateStackProps, Space, liftgate } from '../../src';
import { errorOf, newStack, onlyResource, synthesize } from './helpers';

const base: LiftgateStackProps = { name: 'network', projectKey: 'PLAT', repositorySlug: 'network' };
const integrationProps = { apiHost: 'https://bitbucket.example.com', username: 'bot', accessToken: 'token' };

describe('LiftgateStack', () => {
  test('defaults: root space, branch main, no autodeploy, the account default integration', () => {
    const stack = newStack();
    const created = new LiftgateStack(stack, 'Network', base);
    expect(created.resource.node.id).toBe('Resource');
    expect(onlyResource(synthesize(stack), 'liftgate_stack')).toEqual({
      name: 'network',
      space_id: 'root',
      project_key: 'PLAT',
      repository_slug: 'network',
      branch: 'main',
      autodeploy: false,
    });
  });

  test('space, integration, branch, project root, autodeploy and labels are passed through', () => {
    const stack = newStack();
    const space = new Space(stack, 'Platform', { name: 'Platform' });
    const integration = new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...integrationProps, name: 'Platform DC', space });
    new LiftgateStack(stack, 'Network', { ...base, space, integration, branch: 'release/1.x', projectRoot: 'infra/network', autodeploy: true, labels: ['prod'] });
    const synthesized = synthesize(stack);
    const spaceAddress = Object.keys(synthesized.resource.liftgate_space)[0];
    const integrationAddress = Object.keys(synthesized.resource.liftgate_bitbucket_datacenter_integration)[0];
    expect(onlyResource(synthesized, 'liftgate_stack')).toEqual({
      name: 'network',
      space_id: `\${liftgate_space.${spaceAddress}.id}`,
      integration_id: `\${liftgate_bitbucket_datacenter_integration.${integrationAddress}.id}`,
      project_key: 'PLAT',
      repository_slug: 'network',
      branch: 'release/1.x',
      project_root: 'infra/network',
      autodeploy: true,
      labels: ['prod'],
    });
  });

  test('without an integration, a default integration declared in the same stack is referenced (even when declared later)', () => {
    const stack = newStack();
    new LiftgateStack(stack, 'Network', base);
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...integrationProps, name: 'Main', isDefault: true });
    const synthesized = synthesize(stack);
    const integrationAddress = Object.keys(synthesized.resource.liftgate_bitbucket_datacenter_integration)[0];
    expect(onlyResource(synthesized, 'liftgate_stack')).toMatchObject({ integration_id: `\${liftgate_bitbucket_datacenter_integration.${integrationAddress}.id}` });
  });

  test('a space-level integration in the stack is not taken as the default', () => {
    const stack = newStack();
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...integrationProps, name: 'Space DC' });
    new LiftgateStack(stack, 'Network', base);
    expect(onlyResource(synthesize(stack), 'liftgate_stack')).not.toHaveProperty('integration_id');
  });

  describe('validation', () => {
    test.each<[string, Partial<LiftgateStackProps>, string]>([
      ['empty name', { name: '' }, 'name: must not be empty'],
      ['bad project key', { projectKey: 'plat-1' }, 'projectKey: "plat-1" must be a Bitbucket project key: '],
      ['empty repository slug', { repositorySlug: '' }, 'repositorySlug: must not be empty'],
      ['bad repository slug', { repositorySlug: 'Net Work' }, 'repositorySlug: "Net Work" must be a Bitbucket repository slug'],
      ['repository slug left undefined', { repositorySlug: undefined }, 'repositorySlug: is required but is undefined'],
      ['bad branch', { branch: 'feature..x' }, 'branch: must be a valid Git branch name (it contains ".."), got "feature..x"'],
      ['branch with a space', { branch: 'my branch' }, 'branch: must be a valid Git branch name (it contains a space), got "my branch"'],
      ['absolute project root', { projectRoot: '/infra' }, 'projectRoot: must be a relative path inside the repository (it is absolute), got "/infra"'],
      ['project root leaving the repository', { projectRoot: 'infra/../..' }, 'projectRoot: must be a relative path inside the repository (it contains ".."), got "infra/../.."'],
      ['duplicate label', { labels: ['a', 'a'] }, 'labels[1]: duplicate label "a"'],
    ])('%s', (_case, props, expected) => {
      const message = errorOf(() => new LiftgateStack(newStack(), 'Network', { ...base, ...props }));
      expect(message).toMatch(/^Invalid LiftgateStack at "test\/Network"/);
      expect(message).toContain(expected);
    });

    test('takes keys and slugs in any case, as the control plane matches them', () => {
      expect(() => new LiftgateStack(newStack(), 'Network', { ...base, projectKey: 'plat', repositorySlug: 'Network' })).not.toThrow();
    });

    test('every problem is collected into one error', () => {
      const message = errorOf(() => new LiftgateStack(newStack(), 'Network', { name: '', projectKey: '', repositorySlug: 'A B' }));
      expect(message).toContain('(3 problems)');
    });

    test('values known only at deploy time are not checked', () => {
      const stack = newStack();
      const space = new liftgate.dataLiftgateSpace.DataLiftgateSpace(stack, 'Space', { id: 'root' });
      expect(() => new LiftgateStack(stack, 'Network', { name: space.name, projectKey: space.name, repositorySlug: space.name, branch: space.name, projectRoot: space.name })).not.toThrow();
    });
  });
});
