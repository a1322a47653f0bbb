/**
 * The webhook logic on plain values (no terraform, no HTTP): import ids, adoption of leftovers from an
 * interrupted create, the shared refresh listing, and how Bitbucket errors read as diagnostics.
 */
import { type BitbucketWebhook, type BitbucketWebhookInput } from '../../../src/clients/bitbucket';
import { attributePath } from '../../../src/plugin';
import { ProviderClient } from '../../../src/terraform/bitbucketdc/provider-client';
import {
  createOrAdoptWebhook,
  parseWebhookImportId,
  readWebhook,
  type DesiredWebhook,
  type WebhookScope,
} from '../../../src/terraform/bitbucketdc/webhook';
import { ApiNotFoundError, ApiServerError, ApiUnauthorizedError } from '../../../src/clients/errors';

const desired: DesiredWebhook = {
  name: 'ci',
  url: 'https://ci.example.com/hook',
  events: ['repo:refs_changed', 'pr:opened'],
  secret: 's3cret',
  active: true,
  sslVerificationRequired: true,
};

function webhook(id: number, overrides: Partial<BitbucketWebhook> = {}): BitbucketWebhook {
  return {
    id,
    name: 'ci',
    url: 'https://ci.example.com/hook',
    events: ['pr:opened', 'repo:refs_changed'],
    active: true,
    configuration: { secret: 's3cret' },
    sslVerificationRequired: true,
    ...overrides,
  };
}

/** A scope over an in-memory list of webhooks that records the writes made to it. */
function memoryScope(existing: BitbucketWebhook[]) {
  const writes: string[] = [];
  const toWebhook = (id: number, input: BitbucketWebhookInput): BitbucketWebhook => ({
    id,
    name: input.name,
    url: input.url,
    events: input.events,
    active: input.active ?? true,
    configuration: input.configuration,
    sslVerificationRequired: input.sslVerificationRequired,
  });
  const scope: WebhookScope = {
    target: 'repository PLAT/network',
    permission: 'REPO_ADMIN',
    notFoundPath: attributePath('repository_slug'),
    search: async ({ name, url }) => existing.filter((hook) => hook.name === name && hook.url === url),
    listed: async (id) => existing.find((hook) => hook.id === id),
    get: async (id) => {
      const found = existing.find((hook) => hook.id === id);
      if (found === undefined) throw new ApiNotFoundError('Bitbucket', 'not found', { method: 'GET', url: `/webhooks/${id}`, status: 404 });
      return found;
    },
    create: async (input) => {
      writes.push('create');
      return toWebhook(100, input);
    },
    update: async (id, input) => {
      writes.push(`update ${id}`);
      return toWebhook(id, input);
    },
    delete: async (id) => {
      writes.push(`delete ${id}`);
    },
  };
  return { scope, writes };
}

describe('import ids', () => {
  test('repository and project ids parse into their parts', () => {
    expect(parseWebhookImportId('PLAT/network/12', 'repository')).toEqual({ projectKey: 'PLAT', repositorySlug: 'network', webhookId: 12 });
    expect(parseWebhookImportId('~jdoe/dotfiles/3', 'repository')).toEqual({ projectKey: '~jdoe', repositorySlug: 'dotfiles', webhookId: 3 });
    expect(parseWebhookImportId('PLAT/7', 'project')).toEqual({ projectKey: 'PLAT', webhookId: 7 });
  });

  test.each([
    ['PLAT/network', 'repository', /2 parts separated by "\/", not 3/],
    ['plat/network/1', 'repository', /"plat" is not a project key/],
    ['PLAT/Network/1', 'repository', /"Network" is not a repository slug/],
    ['PLAT/network/0', 'repository', /"0" is not a webhook id/],
    ['PLAT/network/1.5', 'repository', /"1.5" is not a webhook id/],
    ['PLAT/network/12', 'project', /3 parts separated by "\/", not 2/],
  ] as const)('%s as a %s id is refused with the reason', (id, scope, reason) => {
    const parsed = parseWebhookImportId(id, scope);
    expect(parsed).toMatchObject({ severity: 'error', summary: 'Invalid import id', detail: expect.stringMatching(reason) });
  });
});

describe('create adopts what an interrupted create left behind', () => {
  test('nothing with the same name and URL: a webhook is created', async () => {
    const { scope, writes } = memoryScope([webhook(5, { url: 'https://other.example.com' })]);
    const result = await createOrAdoptWebhook(scope, desired);
    expect(writes).toEqual(['create']);
    expect(result).toEqual({
      fields: { name: 'ci', url: desired.url, events: ['pr:opened', 'repo:refs_changed'], secret: 's3cret', active: true, ssl_verification_required: true, webhook_id: 100 },
      diagnostics: [],
    });
  });

  test('an identical webhook is adopted without any write', async () => {
    const { scope, writes } = memoryScope([webhook(8)]);
    const result = await createOrAdoptWebhook(scope, desired);
    expect(writes).toEqual([]);
    expect(result.fields?.webhook_id).toBe(8);
  });

  test('a webhook that differs is adopted and brought in line; with several, the oldest, and a warning names the others', async () => {
    const { scope, writes } = memoryScope([webhook(9), webhook(4, { active: false }), webhook(6)]);
    const result = await createOrAdoptWebhook(scope, desired);
    expect(writes).toEqual(['update 4']);
    expect(result.fields).toMatchObject({ webhook_id: 4, active: true });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', detail: expect.stringMatching(/Adopted the oldest, 4; the others \(6, 9\)/) }),
    ]);
  });

  test('a refusal becomes a diagnostic naming the permission', async () => {
    const { scope } = memoryScope([]);
    scope.search = async () => {
      throw new ApiUnauthorizedError('Bitbucket', 'unauthorized', { method: 'GET', url: 'http://bitbucket/rest/api/latest/projects/PLAT/repos/network/webhooks', status: 401, messages: ['You are not permitted'] });
    };
    const result = await createOrAdoptWebhook(scope, desired);
    expect(result.fields).toBeNull();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        summary: 'Could not create the webhook "ci" on repository PLAT/network',
        detail: expect.stringMatching(/lack REPO_ADMIN on repository PLAT\/network[\s\S]*Bitbucket said: You are not permitted/),
      }),
    ]);
  });
});

describe('reads', () => {
  test('a webhook missing from the listing is confirmed gone by a GET (404 → removed from state)', async () => {
    const { scope } = memoryScope([webhook(3)]);
    expect((await readWebhook(scope, 3)).fields?.webhook_id).toBe(3);
    expect(await readWebhook(scope, 4)).toEqual({ fields: null, diagnostics: [] });
  });

  test('concurrent reads of one scope share one listing; a change or a failure makes the next read list again', async () => {
    const client = new ProviderClient({} as never);
    let listings = 0;
    const list = async () => {
      listings += 1;
      return [webhook(1), webhook(2)];
    };
    const found = await Promise.all([1, 2, 3].map((id) => client.listedWebhook('repository PLAT/network', list, id)));
    expect(found.map((hook) => hook?.id)).toEqual([1, 2, undefined]);
    expect(listings).toBe(1);
    await client.listedWebhook('repository PLAT/api', list, 1);
    expect(listings).toBe(2);
    client.forgetListing('repository PLAT/network');
    await client.listedWebhook('repository PLAT/network', list, 1);
    expect(listings).toBe(3);

    const failing = async (): Promise<BitbucketWebhook[]> => {
      throw new ApiServerError('Bitbucket', 'server error', { method: 'GET', url: '/webhooks', status: 500 });
    };
    await expect(client.listedWebhook('project OPS', failing, 1)).rejects.toBeInstanceOf(ApiServerError);
    expect(await client.listedWebhook('project OPS', list, 2)).toMatchObject({ id: 2 });
  });
});
