import { createWithoutDuplicates } from '../create';
import type { PagedList, PagingOptions } from '../paging';
import { segment } from '../urls';
import { listPages, type BitbucketTransport, type CallOptions } from './pages';
import { API } from './paths';
import { pageSchema, projectSchema, type BitbucketProject, type ProjectPermission } from './schemas';
import { ApiNotFoundError } from '../errors';

export interface ProjectListOptions extends PagingOptions {
  /** Only projects whose name contains this (Bitbucket matches case-insensitively). */
  name?: string;
  /** Only projects on which the caller holds this permission. */
  permission?: ProjectPermission;
}

export interface ProjectCreateInput {
  key: string;
  name: string;
  description?: string;
}

const projectPage = pageSchema(projectSchema);

export class ProjectsResource {
  constructor(private readonly transport: BitbucketTransport) {}

  async get(key: string, options: CallOptions = {}): Promise<BitbucketProject> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${API}/projects/${segment(key)}`,
      schema: projectSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  list(options: ProjectListOptions = {}): PagedList<BitbucketProject, number> {
    const { name, permission, ...paging } = options;
    return listPages(this.transport, `${API}/projects`, { name, permission }, projectPage, paging);
  }

  /** Creates a project (201). A retried create adopts the project its failed attempt made. */
  create(input: ProjectCreateInput, options: CallOptions = {}): Promise<BitbucketProject> {
    return createWithoutDuplicates(
      this.transport,
      {
        snapshot: async () => (await this.getIfExists(input.key, options)) !== undefined,
        create: async () => {
          const { data } = await this.transport.json({
            method: 'POST',
            path: `${API}/projects`,
            body: input,
            schema: projectSchema,
            retryMode: 'create',
            signal: options.signal,
          });
          return data;
        },
        // Keys are unique: a project that appeared since the snapshot is the one the attempt made.
        // One that existed before is not adopted; sending again lets Bitbucket answer 409.
        findCreated: async (existedBefore) => (existedBefore ? undefined : this.getIfExists(input.key, options)),
      },
      options.signal,
    );
  }

  private async getIfExists(key: string, options: CallOptions): Promise<BitbucketProject | undefined> {
    try {
      return await this.get(key, options);
    } catch (error) {
      if (error instanceof ApiNotFoundError) return undefined;
      throw error;
    }
  }
}
