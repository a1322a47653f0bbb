import { BitbucketDatacenterIntegration, LiftgateModule, LiftgateModuleProps, Space, liftgate } from '../../src';
import { errorOf, newStack, onlyResource, synthesize } from './helpers';

const base: LiftgateModuleProps = { name: 'network', terraformProvider: 'aws', projectKey: 'PLAT', repositorySlug: 'terraform-modules' };
const integrationProps = { apiHost: 'https://bitbucket.example.com', username: 'bot', accessToken: 'token' };

describe('LiftgateModule', () => {
  test('defaults: root space, branch main, the account default integration', () => {
    const stack = newStack();
    const created = new LiftgateModule(stack, 'Network', base);
    expect(created.resource.node.id).toBe('Resource');
    expect(onlyResource(synthesize(stack), 'liftgate_module')).toEqual({
      name: 'network',
      terraform_provider: 'aws',
      space_id: 'root',
      project_key: 'PLAT',
      repository_slug: 'terraform-modules',
      branch: 'main',
    });
  });

  test('space, integration, project root, description and labels are passed through; a default integration of the stack is used', () => {
    const stack = newStack();
    const space = new Space(stack, 'Platform', { name: 'Platform' });
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...integrationProps, name: 'Main', isDefault: true });
    new LiftgateModule(stack, 'Network', { ...base, space, projectRoot: 'network', description: 'VPCs', labels: ['net'] });
    const synthesized = synthesize(stack);
    const spaceAddress = Object.keys(synthesized.resource.liftgate_space)[0];
    const integrationAddress = Object.keys(synthesized.resource.liftgate_bitbucket_datacenter_integration)[0];
    expect(onlyResource(synthesized, 'liftgate_module')).toEqual({
      ...{ name: 'network', terraform_provider: 'aws', project_key: 'PLAT', repository_slug: 'terraform-modules', branch: 'main' },
      space_id: `\${liftgate_space.${spaceAddress}.id}`,
      integration_id: `\${liftgate_bitbucket_datacenter_integration.${integrationAddress}.id}`,
      project_root: 'network',
      description: 'VPCs',
      labels: ['net'],
    });
  });

  describe('validation', () => {
    test.each<[string, Partial<LiftgateModuleProps>, string]>([
      ['upper-case name', { name: 'Network' }, 'name: "Network" must start with a lower-case letter or digit'],
      ['provider with an underscore', { terraformProvider: 'a_b' }, 'terraformProvider: "a_b" must start with a lower-case letter or digit'],
      ['empty name', { name: '' }, 'name: must not be empty'],
      ['bad project key', { projectKey: 'plat-1' }, 'projectKey: "plat-1" must be a Bitbucket project key: '],
      ['project root leaving the repository', { projectRoot: '../x' }, 'projectRoot: must be a relative path inside the repository'],
    ])('%s', (_case, props, expected) => {
      const message = errorOf(() => new LiftgateModule(newStack(), 'Network', { ...base, ...props }));
      expect(message).toMatch(/^Invalid LiftgateModule at "test\/Network"/);
      expect(message).toContain(expected);
    });

    test('values known only at deploy time are not checked', () => {
      const stack = newStack();
      const space = new liftgate.dataLiftgateSpace.DataLiftgateSpace(stack, 'Space', { id: 'root' });
      expect(() => new LiftgateModule(stack, 'Network', { ...base, name: space.name, terraformProvider: space.name })).not.toThrow();
    });
  });
});
