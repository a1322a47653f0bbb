import { createWithoutDuplicates } from '../create';
import type { PagedList, PagingOptions } from '../paging';
import { segment } from '../urls';
import { listPages, type BitbucketTransport, type CallOptions } from './pages';
import { API } from './paths';
import {
  pageSchema,
  webhookSchema,
  webhookTestResultSchema,
  type BitbucketWebhook,
  type BitbucketWebhookInput,
  type BitbucketWebhookTestResult,
} from './schemas';

export interface WebhookListOptions extends PagingOptions {
  /** Only webhooks subscribed to this event (or to any of these events). */
  event?: string | string[];
}

export interface WebhookSearchFilter extends WebhookListOptions {
  /** Exact webhook name. */
  name?: string;
  /** Exact target URL. */
  url?: string;
}

export interface WebhookFiringListOptions extends WebhookListOptions {
  /** Only webhooks defined at this scope. @default both */
  scopeType?: 'repository' | 'project';
}

export interface WebhookTestOptions extends CallOptions {
  /** Endpoint to ping with `diagnostics:ping`. */
  url: string;
  /** Test as this existing webhook (Bitbucket then signs with its stored secret). */
  webhookId?: number;
  /** @default true (Bitbucket's default) */
  sslVerificationRequired?: boolean;
  /** Basic credentials to send to the endpoint. */
  credentials?: { username?: string; password?: string };
}

const webhookPage = pageSchema(webhookSchema);

/** The request body Bitbucket expects (RestWebhook) for create and for the full-replace PUT. */
export function webhookRequestBody(input: BitbucketWebhookInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: input.name,
    url: input.url,
    events: input.events,
    active: input.active ?? true,
  };
  const configuration = { ...input.configuration };
  // An empty secret makes Bitbucket answer 500; "no secret" is said by leaving it out.
  if (configuration.secret === '' || configuration.secret === undefined) delete configuration.secret;
  if (Object.keys(configuration).length > 0) body.configuration = configuration;
  if (input.credentials !== undefined) body.credentials = input.credentials;
  if (input.sslVerificationRequired !== undefined) body.sslVerificationRequired = input.sslVerificationRequired;
  return body;
}

/**
 * Webhook operations shared by both scopes; `base` is `/projects/{key}` or
 * `/projects/{key}/repos/{slug}` (Bitbucket exposes the same endpoints under each).
 */
class WebhookOperations {
  constructor(private readonly transport: BitbucketTransport) {}

  list(base: string, options: WebhookListOptions = {}): PagedList<BitbucketWebhook, number> {
    const { event, ...paging } = options;
    return listPages(this.transport, `${API}${base}/webhooks`, { event: eventQuery(event) }, webhookPage, paging);
  }

  /** Bitbucket has no server-side filter by name or URL: the event filter is sent, the rest applied here. */
  async search(base: string, filter: WebhookSearchFilter): Promise<BitbucketWebhook[]> {
    const { name, url, ...listOptions } = filter;
    const matches: BitbucketWebhook[] = [];
    for await (const webhook of this.list(base, listOptions)) {
      if ((name === undefined || webhook.name === name) && (url === undefined || webhook.url === url)) matches.push(webhook);
    }
    return matches;
  }

  async get(base: string, id: number, options: CallOptions): Promise<BitbucketWebhook> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${API}${base}/webhooks/${segment(id)}`,
      schema: webhookSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  /**
   * Creates a webhook (Bitbucket answers 200). Bitbucket allows duplicates, so a blind retry after a
   * 5xx or timeout could make two: instead the webhooks with the same name and URL are noted first,
   * and after such a failure a new one among them is adopted; the create is only sent again when
   * none appeared.
   */
  create(base: string, input: BitbucketWebhookInput, options: CallOptions): Promise<BitbucketWebhook> {
    const body = webhookRequestBody(input);
    const sameNameAndUrl = () => this.search(base, { name: input.name, url: input.url, signal: options.signal });
    return createWithoutDuplicates(
      this.transport,
      {
        snapshot: async () => new Set((await sameNameAndUrl()).map((webhook) => webhook.id)),
        create: async () => {
          const { data } = await this.transport.json({
            method: 'POST',
            path: `${API}${base}/webhooks`,
            body,
            schema: webhookSchema,
            retryMode: 'create',
            signal: options.signal,
          });
          return data;
        },
        findCreated: async (before) => (await sameNameAndUrl()).find((webhook) => !before.has(webhook.id)),
      },
      options.signal,
    );
  }

  /** PUT replaces the whole webhook: a field left out (e.g. the secret) is cleared, not kept. */
  async update(base: string, id: number, input: BitbucketWebhookInput, options: CallOptions): Promise<BitbucketWebhook> {
    const { data } = await this.transport.json({
      method: 'PUT',
      path: `${API}${base}/webhooks/${segment(id)}`,
      body: webhookRequestBody(input),
      schema: webhookSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  async delete(base: string, id: number, options: CallOptions): Promise<void> {
    await this.transport.json({
      method: 'DELETE',
      path: `${API}${base}/webhooks/${segment(id)}`,
      schema: null,
      retryMode: 'idempotent',
      // A retry that finds the webhook gone means the earlier attempt deleted it.
      notFoundOnRetryMeansDone: true,
      signal: options.signal,
    });
  }

  async test(base: string, options: WebhookTestOptions): Promise<BitbucketWebhookTestResult> {
    const { data } = await this.transport.json({
      method: 'POST',
      path: `${API}${base}/webhooks/test`,
      query: {
        url: options.url,
        webhookId: options.webhookId,
        sslVerificationRequired: options.sslVerificationRequired,
      },
      body: options.credentials,
      schema: webhookTestResultSchema,
      // A repeated ping has no effect on either side, so the test may be retried like a read.
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }
}

function eventQuery(event: string | string[] | undefined): string[] | undefined {
  if (event === undefined) return undefined;
  return Array.isArray(event) ? event : [event];
}

function repositoryBase(projectKey: string, slug: string): string {
  return `/projects/${segment(projectKey)}/repos/${segment(slug)}`;
}

function projectBase(projectKey: string): string {
  return `/projects/${segment(projectKey)}`;
}

/** Webhooks of one repository (every operation needs REPO_ADMIN on it). */
export class RepositoryWebhooksResource {
  private readonly operations: WebhookOperations;

  constructor(private readonly transport: BitbucketTransport) {
    this.operations = new WebhookOperations(transport);
  }

  list(projectKey: string, slug: string, options?: WebhookListOptions): PagedList<BitbucketWebhook, number> {
    return this.operations.list(repositoryBase(projectKey, slug), options);
  }

  search(projectKey: string, slug: string, filter: WebhookSearchFilter = {}): Promise<BitbucketWebhook[]> {
    return this.operations.search(repositoryBase(projectKey, slug), filter);
  }

  /**
   * Every webhook that fires for the repository: its own and those inherited from its project
   * (Bitbucket's `webhooks/search`; `scopeType` on each tells them apart).
   */
  listFiring(projectKey: string, slug: string, options: WebhookFiringListOptions = {}): PagedList<BitbucketWebhook, number> {
    const { event, scopeType, ...paging } = options;
    return listPages(
      this.transport,
      `${API}${repositoryBase(projectKey, slug)}/webhooks/search`,
      { event: eventQuery(event), scopeType },
      webhookPage,
      paging,
    );
  }

  get(projectKey: string, slug: string, id: number, options: CallOptions = {}): Promise<BitbucketWebhook> {
    return this.operations.get(repositoryBase(projectKey, slug), id, options);
  }

  create(projectKey: string, slug: string, input: BitbucketWebhookInput, options: CallOptions = {}): Promise<BitbucketWebhook> {
    return this.operations.create(repositoryBase(projectKey, slug), input, options);
  }

  update(projectKey: string, slug: string, id: number, input: BitbucketWebhookInput, options: CallOptions = {}): Promise<BitbucketWebhook> {
    return this.operations.update(repositoryBase(projectKey, slug), id, input, options);
  }

  delete(projectKey: string, slug: string, id: number, options: CallOptions = {}): Promise<void> {
    return this.operations.delete(repositoryBase(projectKey, slug), id, options);
  }

  test(projectKey: string, slug: string, options: WebhookTestOptions): Promise<BitbucketWebhookTestResult> {
    return this.operations.test(repositoryBase(projectKey, slug), options);
  }
}

/** Webhooks of a project, inherited by every repository in it (every operation needs PROJECT_ADMIN). */
export class ProjectWebhooksResource {
  private readonly operations: WebhookOperations;

  constructor(transport: BitbucketTransport) {
    this.operations = new WebhookOperations(transport);
  }

  list(projectKey: string, options?: WebhookListOptions): PagedList<BitbucketWebhook, number> {
    return this.operations.list(projectBase(projectKey), options);
  }

  search(projectKey: string, filter: WebhookSearchFilter = {}): Promise<BitbucketWebhook[]> {
    return this.operations.search(projectBase(projectKey), filter);
  }

  get(projectKey: string, id: number, options: CallOptions = {}): Promise<BitbucketWebhook> {
    return this.operations.get(projectBase(projectKey), id, options);
  }

  create(projectKey: string, input: BitbucketWebhookInput, options: CallOptions = {}): Promise<BitbucketWebhook> {
    return this.operations.create(projectBase(projectKey), input, options);
  }

  update(projectKey: string, id: number, input: BitbucketWebhookInput, options: CallOptions = {}): Promise<BitbucketWebhook> {
    return this.operations.update(projectBase(projectKey), id, input, options);
  }

  delete(projectKey: string, id: number, options: CallOptions = {}): Promise<void> {
    return this.operations.delete(projectBase(projectKey), id, options);
  }

  test(projectKey: string, options: WebhookTestOptions): Promise<BitbucketWebhookTestResult> {
    return this.operations.test(projectBase(projectKey), options);
  }
}
