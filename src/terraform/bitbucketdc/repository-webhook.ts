/**
 * `bitbucketdc_repository_webhook`: one webhook of one Bitbucket repository. Import id
 * `PROJECT/repo/ID`. Drift in any field (the secret included: Bitbucket returns it) shows in plan.
 */
import {
  attributePath,
  stringAttribute,
  type ModelOf,
  type ResourceDefinition,
} from '../../plugin';
import {
  createOrAdoptWebhook,
  deleteWebhook,
  desiredWebhook,
  importedWebhookFields,
  parseWebhookImportId,
  projectKeyValidator,
  readWebhook,
  repositorySlugValidator,
  updateWebhook,
  webhookAttributes,
  type WebhookFields,
  type WebhookScope,
} from './webhook';
import { type ProviderClient } from './provider-client';

const attributes = {
  project_key: stringAttribute({
    required: true,
    description: 'Key of the project that holds the repository, e.g. `PLAT`.',
    requiresReplace: 'a webhook belongs to its repository; Bitbucket cannot move it to another one.',
    validators: [projectKeyValidator],
  }),
  repository_slug: stringAttribute({
    required: true,
    description: 'Slug of the repository (as in its URL), e.g. `network`.',
    requiresReplace: 'a webhook belongs to its repository; Bitbucket cannot move it to another one.',
    validators: [repositorySlugValidator],
  }),
  ...webhookAttributes('repository'),
};

type RepositoryWebhookState = ModelOf<typeof attributes>;

function repositoryScope(client: ProviderClient, projectKey: string, slug: string, signal: AbortSignal): WebhookScope {
  const webhooks = client.bitbucket.repositoryWebhooks;
  const key = `repository ${projectKey}/${slug}`;
  // Every change through this process makes the next read list the repository again.
  const changing = async <T>(change: Promise<T>): Promise<T> => {
    try {
      return await change;
    } finally {
      client.forgetListing(key);
    }
  };
  return {
    target: key,
    permission: 'REPO_ADMIN',
    notFoundPath: attributePath('repository_slug'),
    search: (filter) => webhooks.search(projectKey, slug, { ...filter, signal }),
    listed: (id) => client.listedWebhook(key, () => webhooks.list(projectKey, slug, { signal }).toArray(), id),
    get: (id) => webhooks.get(projectKey, slug, id, { signal }),
    create: (input) => changing(webhooks.create(projectKey, slug, input, { signal })),
    update: (id, input) => changing(webhooks.update(projectKey, slug, id, input, { signal })),
    delete: (id) => changing(webhooks.delete(projectKey, slug, id, { signal })),
  };
}

function toState(projectKey: string, slug: string, fields: WebhookFields): RepositoryWebhookState {
  return { project_key: projectKey, repository_slug: slug, ...fields };
}

export const repositoryWebhookResource: ResourceDefinition<typeof attributes, ProviderClient> = {
  typeName: 'bitbucketdc_repository_webhook',
  schema: {
    description:
      'A webhook of a Bitbucket Data Center repository (needs REPO_ADMIN on it). Import with `terraform import <address> PROJECT/repo/ID`.',
    attributes,
  },

  async create({ client, plan, signal }) {
    const projectKey = plan.project_key as string;
    const slug = plan.repository_slug as string;
    const { fields, diagnostics } = await createOrAdoptWebhook(repositoryScope(client, projectKey, slug, signal), desiredWebhook(plan));
    return { state: fields === null ? null : toState(projectKey, slug, fields), diagnostics };
  },

  async read({ client, state, signal }) {
    const projectKey = state.project_key!;
    const slug = state.repository_slug!;
    const { fields, diagnostics } = await readWebhook(repositoryScope(client, projectKey, slug, signal), state.webhook_id!);
    if (diagnostics.length > 0) return { state, diagnostics };
    return { state: fields === null ? null : toState(projectKey, slug, fields) };
  },

  async update({ client, plan, prior, signal }) {
    const projectKey = prior.project_key!;
    const slug = prior.repository_slug!;
    const { fields, diagnostics } = await updateWebhook(repositoryScope(client, projectKey, slug, signal), prior.webhook_id!, desiredWebhook(plan));
    return { state: fields === null ? null : toState(projectKey, slug, fields), diagnostics };
  },

  async delete({ client, state, signal }) {
    return { diagnostics: await deleteWebhook(repositoryScope(client, state.project_key!, state.repository_slug!, signal), state.webhook_id!) };
  },

  async importState({ id }) {
    const parsed = parseWebhookImportId(id, 'repository');
    if ('severity' in parsed) return { state: null, diagnostics: [parsed] };
    return { state: toState(parsed.projectKey, parsed.repositorySlug!, importedWebhookFields(parsed.webhookId)) };
  },
};
