import { BitbucketDatacenterIntegration, BitbucketDatacenterIntegrationProps, Space, WebhookEvent, liftgate } from '../../src';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { errorOf, newStack, onlyResource, synthesize } from './helpers';

const base: BitbucketDatacenterIntegrationProps = {
  name: 'Bitbucket',
  apiHost: 'https://bitbucket.example.com',
  username: 'liftgate-bot',
  accessToken: 'secret-token',
};

describe('BitbucketDatacenterIntegration', () => {
  test('a space-level integration is created before its replacement destroys it, in the given space', () => {
    const stack = newStack();
    const space = new Space(stack, 'Platform', { name: 'Platform' });
    const integration = new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...base, space, labels: ['dc'], description: 'On-prem' });
    expect(integration.resource.node.id).toBe('Resource');
    expect(integration.isDefault).toBe(false);
    const synthesized = synthesize(stack);
    const spaceAddress = Object.keys(synthesized.resource.liftgate_space)[0];
    expect(onlyResource(synthesized, 'liftgate_bitbucket_datacenter_integration')).toEqual({
      name: 'Bitbucket',
      is_default: false,
      space_id: `\${liftgate_space.${spaceAddress}.id}`,
      api_host: 'https://bitbucket.example.com',
      username: 'liftgate-bot',
      access_token: 'secret-token',
      labels: ['dc'],
      description: 'On-prem',
      lifecycle: { create_before_destroy: true },
    });
  });

  test('the default integration is replaced destroy-first and has no space', () => {
    const stack = newStack();
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...base, isDefault: true });
    const integration = onlyResource(synthesize(stack), 'liftgate_bitbucket_datacenter_integration');
    expect(integration).toMatchObject({ is_default: true, lifecycle: { create_before_destroy: false } });
    expect(integration).not.toHaveProperty('space_id');
  });

  test('a webhook on each repository and project, with the eight events, wired to the integration URL and secret', () => {
    const stack = newStack();
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', {
      ...base,
      repositories: [
        { projectKey: 'PLAT', repositorySlug: 'network' },
        { projectKey: 'PLAT', repositorySlug: 'dns' },
      ],
      projects: ['OPS'],
    });
    const synthesized = synthesize(stack);
    const integrationAddress = Object.keys(synthesized.resource.liftgate_bitbucket_datacenter_integration)[0];
    const wiring = {
      url: `\${liftgate_bitbucket_datacenter_integration.${integrationAddress}.webhook_url}`,
      secret: `\${liftgate_bitbucket_datacenter_integration.${integrationAddress}.webhook_secret}`,
      events: [...HANDLED_EVENTS],
      active: true,
      name: 'Liftgate Bitbucket',
    };
    const repositoryWebhooks = Object.values(synthesized.resource.bitbucketdc_repository_webhook);
    expect(repositoryWebhooks).toHaveLength(2);
    expect(repositoryWebhooks).toEqual(
      expect.arrayContaining([
        { ...wiring, project_key: 'PLAT', repository_slug: 'network' },
        { ...wiring, project_key: 'PLAT', repository_slug: 'dns' },
      ]),
    );
    expect(onlyResource(synthesized, 'bitbucketdc_project_webhook')).toEqual({ ...wiring, project_key: 'OPS' });
    expect(BitbucketDatacenterIntegration.DEFAULT_WEBHOOK_EVENTS).toEqual([...HANDLED_EVENTS]);
    // The jsii enum is the constructs' own copy of the domain's list (an enum is what Python users get): the same events.
    expect(Object.values(WebhookEvent)).toEqual([...HANDLED_EVENTS]);
  });

  test('removing a repository from the list leaves the other webhooks at their addresses', () => {
    const addresses = (slugs: string[]) => {
      const stack = newStack();
      new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...base, repositories: slugs.map((repositorySlug) => ({ projectKey: 'PLAT', repositorySlug })) });
      const webhooks = synthesize(stack).resource.bitbucketdc_repository_webhook;
      return Object.fromEntries(Object.entries(webhooks).map(([address, webhook]) => [webhook.repository_slug as string, address]));
    };
    const before = addresses(['a', 'b', 'c']);
    const after = addresses(['a', 'c']);
    expect(after).toEqual({ a: before.a, c: before.c });
  });

  test('chosen events, webhook name, TLS verification and write-only token', () => {
    const stack = newStack();
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', {
      ...base,
      accessTokenVersion: 2,
      webhookEvents: [WebhookEvent.REPO_REFS_CHANGED, WebhookEvent.PR_MERGED],
      webhookName: 'CI',
      webhookSslVerificationRequired: false,
      repositories: [{ projectKey: 'PLAT', repositorySlug: 'network' }],
    });
    const synthesized = synthesize(stack);
    const integration = onlyResource(synthesized, 'liftgate_bitbucket_datacenter_integration');
    expect(integration).toMatchObject({ access_token_wo: 'secret-token', access_token_wo_version: 2 });
    expect(integration).not.toHaveProperty('access_token');
    expect(onlyResource(synthesized, 'bitbucketdc_repository_webhook')).toMatchObject({
      events: ['repo:refs_changed', 'pr:merged'],
      name: 'CI',
      ssl_verification_required: false,
    });
  });

  test('fan-out: every repository of a project, listed by the data source, one webhook instance per slug', () => {
    const stack = newStack();
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...base, allRepositoriesOfProjects: ['PLAT'] });
    const synthesized = synthesize(stack);
    const dataAddress = Object.keys(synthesized.data!.bitbucketdc_repositories)[0];
    expect(synthesized.data!.bitbucketdc_repositories[dataAddress]).toEqual({ project_key: 'PLAT' });
    expect(onlyResource(synthesized, 'bitbucketdc_repository_webhook')).toMatchObject({
      for_each: `\${toset(data.bitbucketdc_repositories.${dataAddress}.slugs)}`,
      project_key: 'PLAT',
      repository_slug: '${each.value}',
      events: [...HANDLED_EVENTS],
    });
  });

  test('fromIntegrationId and fromDefault read the integration with the data source', () => {
    const stack = newStack();
    const byId = BitbucketDatacenterIntegration.fromIntegrationId(stack, 'ById', 'bitbucket');
    const byDefault = BitbucketDatacenterIntegration.fromDefault(stack, 'ByDefault');
    const data = Object.values(synthesize(stack).data!.liftgate_bitbucket_datacenter_integration);
    expect(data).toHaveLength(2);
    expect(data).toEqual(expect.arrayContaining([{ id: 'bitbucket' }, {}]));
    expect(byId.webhookUrl).toContain('TOKEN');
    expect(byDefault.integrationId).toContain('TOKEN');
  });

  test('defaultIn finds the default integration of a stack', () => {
    const stack = newStack();
    new BitbucketDatacenterIntegration(stack, 'Space', { ...base, name: 'Space level' });
    expect(BitbucketDatacenterIntegration.defaultIn(stack)).toBeUndefined();
    const defaultIntegration = new BitbucketDatacenterIntegration(stack, 'Main', { ...base, isDefault: true });
    expect(BitbucketDatacenterIntegration.defaultIn(stack)).toBe(defaultIntegration);
  });

  describe('validation', () => {
    const problemsOf = (props: Partial<BitbucketDatacenterIntegrationProps>) =>
      errorOf(() => new BitbucketDatacenterIntegration(newStack(), 'Bitbucket', { ...base, ...props }));

    test.each<[string, Partial<BitbucketDatacenterIntegrationProps>, string]>([
      ['empty name', { name: '' }, 'name: must not be empty'],
      ['name without letters or digits', { name: '---' }, 'name: "---" needs at least one letter or digit'],
      ['apiHost that is not a URL', { apiHost: 'bitbucket' }, 'apiHost: "bitbucket" must be a URL (https://… or private://<vcs-agent-pool>)'],
      ['apiHost over plain http', { apiHost: 'http://bitbucket.example.com' }, 'apiHost: "http://bitbucket.example.com" must use https:// (http:// only for loopback hosts) or private://'],
      ['apiHost with credentials', { apiHost: 'https://u:p@bitbucket.example.com' }, 'must not contain credentials'],
      ['apiHost with a query', { apiHost: 'https://bitbucket.example.com/?a=1' }, 'must not have a query or fragment'],
      ['private apiHost without a pool', { apiHost: 'private://' }, 'apiHost: "private://" must name a VCS agent pool'],
      ['userFacingHost that is not a URL', { userFacingHost: 'x' }, 'userFacingHost: "x" must be an http(s) URL'],
      ['empty username', { username: '' }, 'username: must not be empty'],
      ['empty access token', { accessToken: '' }, 'accessToken: must not be empty'],
      ['fractional token version', { accessTokenVersion: 1.5 }, 'accessTokenVersion: 1.5 must be a whole number from 1'],
      ['empty label', { labels: [''] }, 'labels[0]: must not be empty'],
      ['empty webhook name', { webhookName: ' ' }, 'webhookName: must not be empty'],
      ['bad project key', { projects: ['9X'] }, 'projects[0]: "9X" must be a Bitbucket project key as Bitbucket shows it'],
      ['project key in lower case', { projects: ['plat'] }, 'projects[0]: "plat" must be a Bitbucket project key as Bitbucket shows it'],
      ['duplicate project', { projects: ['OPS', 'OPS'] }, 'projects[1]: duplicate project "OPS"'],
      ['bad repository slug', { repositories: [{ projectKey: 'PLAT', repositorySlug: 'Net Work' }] }, 'repositories[0].repositorySlug: "Net Work" must be a repository slug as it appears in the repository URL'],
      ['empty repository project', { repositories: [{ projectKey: '', repositorySlug: 'net' }] }, 'repositories[0].projectKey: must not be empty'],
      ['bad repository project', { repositories: [{ projectKey: '1', repositorySlug: 'net' }] }, 'repositories[0].projectKey: "1" must be a Bitbucket project key as Bitbucket shows it'],
      [
        'duplicate repository',
        { repositories: [{ projectKey: 'PLAT', repositorySlug: 'net' }, { projectKey: 'PLAT', repositorySlug: 'net' }] },
        'repositories[1]: duplicate repository PLAT/net',
      ],
      ['repository covered by a project webhook', { projects: ['PLAT'], repositories: [{ projectKey: 'PLAT', repositorySlug: 'net' }] }, 'repositories[0]: PLAT/net already gets the project webhook of PLAT'],
      [
        'repository covered by fan-out',
        { allRepositoriesOfProjects: ['PLAT'], repositories: [{ projectKey: 'PLAT', repositorySlug: 'net' }] },
        'repositories[0]: PLAT/net already gets a webhook through allRepositoriesOfProjects',
      ],
      ['fan-out project also a project webhook', { projects: ['PLAT'], allRepositoriesOfProjects: ['PLAT'] }, 'allRepositoriesOfProjects[0]: PLAT is also in projects'],
      ['duplicate fan-out project', { allRepositoriesOfProjects: ['PLAT', 'PLAT'] }, 'allRepositoriesOfProjects[1]: duplicate project "PLAT"'],
      ['bad fan-out project key', { allRepositoriesOfProjects: ['a-b'] }, 'allRepositoriesOfProjects[0]: "a-b" must be a Bitbucket project key as Bitbucket shows it'],
      ['no events', { webhookEvents: [] }, 'webhookEvents: must list at least one event'],
      ['duplicate event', { webhookEvents: [WebhookEvent.PR_MERGED, WebhookEvent.PR_MERGED] }, 'webhookEvents[1]: duplicate event "pr:merged"'],
      ['event Liftgate does not handle', { webhookEvents: ['repo:modified' as WebhookEvent] }, 'webhookEvents[0]: "repo:modified" is not an event Liftgate handles'],
    ])('%s', (_case, props, expected) => {
      const message = problemsOf(props);
      expect(message).toMatch(/^Invalid BitbucketDatacenterIntegration at "test\/Bitbucket"/);
      expect(message).toContain(expected);
    });

    test('userFacingHost is any http(s) URL, as the control plane takes it (private:// is only for apiHost)', () => {
      expect(() => new BitbucketDatacenterIntegration(newStack(), 'Bitbucket', { ...base, userFacingHost: 'http://bitbucket.example.com' })).not.toThrow();
      expect(problemsOf({ userFacingHost: 'private://agents' })).toMatch(/  - userFacingHost: "private:\/\/agents" must be an http\(s\) URL$/);
    });

    test('a default integration given a space', () => {
      const stack = newStack();
      const space = Space.fromSpaceId(stack, 'Platform', 'platform');
      expect(errorOf(() => new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...base, isDefault: true, space }))).toContain(
        'space: a default integration lives in the root space',
      );
    });

    test('a second default integration in the same stack', () => {
      const stack = newStack();
      new BitbucketDatacenterIntegration(stack, 'First', { ...base, isDefault: true });
      expect(errorOf(() => new BitbucketDatacenterIntegration(stack, 'Second', { ...base, name: 'Other', isDefault: true }))).toContain(
        'isDefault: the stack already declares the default integration at "test/First"',
      );
    });

    test('accepted hosts: https, http on loopback, private agent pools', () => {
      for (const apiHost of ['https://bitbucket.example.com:8443/context', 'http://127.0.0.1:7990', 'http://localhost:7990', 'private://dc-pool']) {
        expect(() => new BitbucketDatacenterIntegration(newStack(), 'Bitbucket', { ...base, apiHost })).not.toThrow();
      }
    });

    test('required props left undefined (process.env of an unset variable, from JavaScript) are reported by field, not as a TypeError', () => {
      const unset: Record<string, string | undefined> = {};
      const message = problemsOf({
        name: unset.NAME!,
        apiHost: unset.BITBUCKET_URL!,
        accessToken: unset.BITBUCKET_TOKEN!,
        repositories: [{ projectKey: 'PLAT', repositorySlug: unset.SLUG! }],
        projects: [unset.PROJECT!],
      });
      expect(message).toMatch(/^Invalid BitbucketDatacenterIntegration at "test\/Bitbucket" \(5 problems\):\n/);
      for (const field of ['name', 'apiHost', 'accessToken', 'repositories[0].repositorySlug', 'projects[0]']) {
        expect(message).toContain(`  - ${field}: is required but is undefined (is an environment variable it is read from unset?)`);
      }
      expect(problemsOf({ username: 42 as unknown as string })).toContain('  - username: must be text, got number');
    });

    test('every problem is collected into one error', () => {
      const message = problemsOf({ name: '', apiHost: 'ftp://x', username: '', accessToken: '' });
      expect(message).toContain('(4 problems)');
      for (const field of ['name', 'apiHost', 'username', 'accessToken']) expect(message).toContain(`  - ${field}: `);
    });

    test('values known only at deploy time are not checked', () => {
      const stack = newStack();
      const other = new liftgate.dataLiftgateBitbucketDatacenterIntegration.DataLiftgateBitbucketDatacenterIntegration(stack, 'Other', {});
      expect(
        () => new BitbucketDatacenterIntegration(stack, 'Bitbucket', { ...base, apiHost: other.apiHost, userFacingHost: other.userFacingHost, username: other.username }),
      ).not.toThrow();
    });
  });
});
