/**
 * `bitbucketdc_project_webhook`: one webhook of a Bitbucket project, inherited by every repository in
 * it. Import id `PROJECT/ID`. Drift in any field (the secret included) shows in plan.
 */
import { attributePath, stringAttribute, type ModelOf, type ResourceDefinition } from '../../plugin';
import {
  createOrAdoptWebhook,
  deleteWebhook,
  desiredWebhook,
  importedWebhookFields,
  parseWebhookImportId,
  projectKeyValidator,
  readWebhook,
  updateWebhook,
  webhookAttributes,
  type WebhookFields,
  type WebhookScope,
} from './webhook';
import { type ProviderClient } from './provider-client';

const attributes = {
  project_key: stringAttribute({
    required: true,
    description: 'Key of the project, e.g. `PLAT`. The webhook fires for every repository of the project.',
    requiresReplace: 'a webhook belongs to its project; Bitbucket cannot move it to another one.',
    validators: [projectKeyValidator],
  }),
  ...webhookAttributes('project'),
};

type ProjectWebhookState = ModelOf<typeof attributes>;

function projectScope(client: ProviderClient, projectKey: string, signal: AbortSignal): WebhookScope {
  const webhooks = client.bitbucket.projectWebhooks;
  const key = `project ${projectKey}`;
  // Every change through this process makes the next read list the project again.
  const changing = async <T>(change: Promise<T>): Promise<T> => {
    try {
      return await change;
    } finally {
      client.forgetListing(key);
    }
  };
  return {
    target: key,
    permission: 'PROJECT_ADMIN',
    notFoundPath: attributePath('project_key'),
    search: (filter) => webhooks.search(projectKey, { ...filter, signal }),
    listed: (id) => client.listedWebhook(key, () => webhooks.list(projectKey, { signal }).toArray(), id),
    get: (id) => webhooks.get(projectKey, id, { signal }),
    create: (input) => changing(webhooks.create(projectKey, input, { signal })),
    update: (id, input) => changing(webhooks.update(projectKey, id, input, { signal })),
    delete: (id) => changing(webhooks.delete(projectKey, id, { signal })),
  };
}

function toState(projectKey: string, fields: WebhookFields): ProjectWebhookState {
  return { project_key: projectKey, ...fields };
}

export const projectWebhookResource: ResourceDefinition<typeof attributes, ProviderClient> = {
  typeName: 'bitbucketdc_project_webhook',
  schema: {
    description:
      'A webhook of a Bitbucket Data Center project, inherited by all its repositories (needs PROJECT_ADMIN). Import with `terraform import <address> PROJECT/ID`.',
    attributes,
  },

  async create({ client, plan, signal }) {
    const projectKey = plan.project_key as string;
    const { fields, diagnostics } = await createOrAdoptWebhook(projectScope(client, projectKey, signal), desiredWebhook(plan));
    return { state: fields === null ? null : toState(projectKey, fields), diagnostics };
  },

  async read({ client, state, signal }) {
    const projectKey = state.project_key!;
    const { fields, diagnostics } = await readWebhook(projectScope(client, projectKey, signal), state.webhook_id!);
    if (diagnostics.length > 0) return { state, diagnostics };
    return { state: fields === null ? null : toState(projectKey, fields) };
  },

  async update({ client, plan, prior, signal }) {
    const projectKey = prior.project_key!;
    const { fields, diagnostics } = await updateWebhook(projectScope(client, projectKey, signal), prior.webhook_id!, desiredWebhook(plan));
    return { state: fields === null ? null : toState(projectKey, fields), diagnostics };
  },

  async delete({ client, state, signal }) {
    return { diagnostics: await deleteWebhook(projectScope(client, state.project_key!, signal), state.webhook_id!) };
  },

  async importState({ id }) {
    const parsed = parseWebhookImportId(id, 'project');
    if ('severity' in parsed) return { state: null, diagnostics: [parsed] };
    return { state: toState(parsed.projectKey, importedWebhookFields(parsed.webhookId)) };
  },
};
