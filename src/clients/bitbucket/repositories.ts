import { createWithoutDuplicates } from '../create';
import type { PagedList, PagingOptions } from '../paging';
import { segment } from '../urls';
import { listPages, type BitbucketTransport, type CallOptions } from './pages';
import { API } from './paths';
import { pageSchema, repositorySchema, type BitbucketRepository, type RepositoryPermission } from './schemas';

export interface RepositorySearchOptions extends PagingOptions {
  /** Only repositories of this project (Bitbucket's `projectkey`, case-insensitive). */
  projectKey?: string;
  /** Only repositories whose name contains this. */
  name?: string;
  /** Only repositories on which the caller holds this permission. */
  permission?: RepositoryPermission;
}

export interface RepositoryCreateInput {
  name: string;
  /** @default 'git' (the only SCM Bitbucket DC supports) */
  scmId?: string;
  description?: string;
  defaultBranch?: string;
  forkable?: boolean;
  public?: boolean;
}

const repositoryPage = pageSchema(repositorySchema);

export class RepositoriesResource {
  constructor(private readonly transport: BitbucketTransport) {}

  async get(projectKey: string, slug: string, options: CallOptions = {}): Promise<BitbucketRepository> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${API}/projects/${segment(projectKey)}/repos/${segment(slug)}`,
      schema: repositorySchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  /** The repositories of one project (needs PROJECT_READ). */
  list(projectKey: string, paging: PagingOptions = {}): PagedList<BitbucketRepository, number> {
    return listPages(this.transport, `${API}/projects/${segment(projectKey)}/repos`, {}, repositoryPage, paging);
  }

  /**
   * Repositories across projects (`GET /rest/api/latest/repos`). With `permission: 'REPO_ADMIN'`
   * it lists only what the caller administers — the standard "what may this token do" check.
   */
  search(options: RepositorySearchOptions = {}): PagedList<BitbucketRepository, number> {
    const { projectKey, name, permission, ...paging } = options;
    return listPages(this.transport, `${API}/repos`, { projectkey: projectKey, name, permission }, repositoryPage, paging);
  }

  /**
   * One page of `search` starting at `start` (Bitbucket's offset), for callers that page on behalf of someone else:
   * the items and where the next page starts (null: this was the last).
   */
  async searchPage(options: Omit<RepositorySearchOptions, keyof PagingOptions> & CallOptions & { start: number; limit: number }): Promise<{ items: BitbucketRepository[]; nextStart: number | null }> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${API}/repos`,
      query: { projectkey: options.projectKey, name: options.name, permission: options.permission, start: options.start, limit: options.limit },
      schema: repositoryPage,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    const next = data.nextPageStart;
    return { items: data.values, nextStart: data.isLastPage || typeof next !== 'number' || next <= options.start ? null : next };
  }

  /** Creates a repository (201). A retried create adopts the repository its failed attempt made. */
  create(projectKey: string, input: RepositoryCreateInput, options: CallOptions = {}): Promise<BitbucketRepository> {
    return createWithoutDuplicates(
      this.transport,
      {
        snapshot: () => this.findByName(projectKey, input.name, options),
        create: async () => {
          const { data } = await this.transport.json({
            method: 'POST',
            path: `${API}/projects/${segment(projectKey)}/repos`,
            body: { scmId: 'git', ...input },
            schema: repositorySchema,
            retryMode: 'create',
            signal: options.signal,
          });
          return data;
        },
        // Names are unique within a project: one that appeared since the snapshot is ours; one that
        // existed before is not adopted, so sending again lets Bitbucket answer 409.
        findCreated: async (before) => (before === undefined ? this.findByName(projectKey, input.name, options) : undefined),
      },
      options.signal,
    );
  }

  private async findByName(projectKey: string, name: string, options: CallOptions): Promise<BitbucketRepository | undefined> {
    const wanted = name.toLowerCase();
    for await (const repository of this.search({ projectKey, name, signal: options.signal })) {
      if (repository.name.toLowerCase() === wanted && repository.project.key.toLowerCase() === projectKey.toLowerCase()) {
        return repository;
      }
    }
    return undefined;
  }
}
