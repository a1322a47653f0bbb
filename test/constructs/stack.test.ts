import { TerraformVariable } from 'cdktf';
import { BitbucketDatacenterIntegration, LiftgateStack, LiftgateStackProps, Space, liftgate } from '../../src';
import { environmentVariableNameProblem } from '../../src/domain/environment';
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

describe('LiftgateStack environment variables and manageState', () => {
  test('manageState is passed through only when set (the provider defaults to true)', () => {
    const stack = newStack();
    new LiftgateStack(stack, 'Own', { ...base, name: 'own', manageState: false });
    new LiftgateStack(stack, 'Managed', { ...base, name: 'managed' });
    const stacks = Object.values(synthesize(stack).resource.liftgate_stack ?? {});
    expect(stacks.find((resource) => resource.name === 'own')).toMatchObject({ manage_state: false });
    expect(stacks.find((resource) => resource.name === 'managed')).not.toHaveProperty('manage_state');
  });

  test('addEnvironmentVariable makes one liftgate_stack_environment_variable per name, on the stack, with its provider', () => {
    const stack = newStack();
    const app = new LiftgateStack(stack, 'App', base);
    const region = app.addEnvironmentVariable('AWS_REGION', 'eu-west-1');
    app.addEnvironmentVariable('DB_PASSWORD', 'hunter2', { secret: true });
    expect(region.node.id).toBe('EnvironmentVariable_AWS_REGION');
    const synthesized = synthesize(stack);
    const stackAddress = Object.keys(synthesized.resource.liftgate_stack ?? {})[0];
    const variables = Object.values(synthesized.resource.liftgate_stack_environment_variable ?? {});
    expect(variables).toEqual([
      expect.objectContaining({ stack_id: `\${liftgate_stack.${stackAddress}.id}`, name: 'AWS_REGION', value: 'eu-west-1', secret: false }),
      expect.objectContaining({ stack_id: `\${liftgate_stack.${stackAddress}.id}`, name: 'DB_PASSWORD', value: 'hunter2', secret: true }),
    ]);
  });

  test('refuses reserved and malformed names, a name added twice and values over 64 KiB, naming the construct and field', () => {
    const stack = newStack();
    const app = new LiftgateStack(stack, 'App', base);
    app.addEnvironmentVariable('TOKEN', 'x');
    expect(errorOf(() => app.addEnvironmentVariable('TF_HTTP_PASSWORD', 'x'))).toBe(
      'Invalid LiftgateStack.addEnvironmentVariable at "test/App" (1 problem):\n' +
        "  - name: TF_HTTP_PASSWORD is reserved (TF_HTTP_*): they carry the state backend's address and the run's one-off credentials",
    );
    expect(errorOf(() => app.addEnvironmentVariable('1BAD', 'x'.repeat(64 * 1024 + 1)))).toBe(
      'Invalid LiftgateStack.addEnvironmentVariable at "test/App" (2 problems):\n' +
        '  - name: the name must match ^[A-Za-z_][A-Za-z0-9_]*$ (a letter or "_", then letters, digits or "_"), got "1BAD"\n' +
        '  - value: the value is 65537 bytes; at most 65536 bytes are allowed',
    );
    expect(errorOf(() => app.addEnvironmentVariable('TOKEN', 'y'))).toContain('name: "TOKEN" was already added to this stack');
    expect(errorOf(() => app.addEnvironmentVariable('A', 'a\u0000b'))).toContain('value: the value must not contain NUL characters');
  });

  test('skips values known only at deploy time', () => {
    const stack = newStack();
    const app = new LiftgateStack(stack, 'App', base);
    const secret = new TerraformVariable(stack, 'token', { type: 'string', sensitive: true });
    app.addEnvironmentVariable('TOKEN', secret.stringValue, { secret: true });
    expect(Object.values(synthesize(stack).resource.liftgate_stack_environment_variable ?? {})[0]).toMatchObject({ value: '${var.token}' });
  });

  test("refuses exactly the names the control plane refuses", () => {
    const names = [
      'AWS_REGION', 'TF_VAR_x', '_x', 'PATHS', 'TF_HTTPX', 'TF_DATA_DIR', 'MY_LIFTGATE_X',
      'TF_HTTP_ADDRESS', 'tf_http_password', 'LIFTGATE_RUN_ID', 'PATH', 'Path', 'HOME', 'TF_CLI_ARGS', 'TF_CLI_ARGS_apply', 'TF_LOG', 'TF_LOG_PATH',
      'TF_WORKSPACE', 'TF_REATTACH_PROVIDERS', 'TF_APPEND_USER_AGENT', 'TF_IN_AUTOMATION', 'TF_INPUT', 'CHECKPOINT_DISABLE', 'TF_CLI_CONFIG_FILE',
      '1A', 'A-B', '', 'A'.repeat(256),
    ];
    for (const name of names) {
      const stack = newStack();
      const app = new LiftgateStack(stack, 'App', base);
      let refused = false;
      try {
        app.addEnvironmentVariable(name, 'x');
      } catch {
        refused = true;
      }
      expect([name, refused]).toEqual([name, environmentVariableNameProblem(name) !== null]);
    }
  });
});
