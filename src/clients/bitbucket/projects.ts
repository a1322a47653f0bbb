import { createWithoutDuplicates } from './create';
import { BitbucketNotFoundError } from './errors';
import type { PagedList, PagingOptions } from './paging';
import { API, segment } from './paths';
import { pageSchema, projectSchema, type BitbucketProject, type ProjectPermission } from './schemas';
import type { Transport } from './transport';

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
  constructor(private readonly transport: Transport) {}

  async get(key: string): Promise<BitbucketProject> {
    const { data } = await this.transport.send({
      method: 'GET',
      path: `${API}/projects/${segment(key)}`,
      schema: projectSchema,
      retryMode: 'idempotent',
    });
    return data;
  }

  list(options: ProjectListOptions = {}): PagedList<BitbucketProject> {
    const { name, permission, ...paging } = options;
    return this.transport.paged(`${API}/projects`, { name, permission }, projectPage, paging);
  }

  /** Creates a project (201). A retried create adopts the project its failed attempt made. */
  create(input: ProjectCreateInput): Promise<BitbucketProject> {
    return createWithoutDuplicates(this.transport.retryPolicy, {
      snapshot: () => this.exists(input.key),
      create: async () => {
        const { data } = await this.transport.send({
          method: 'POST',
          path: `${API}/projects`,
          body: input,
          schema: projectSchema,
          retryMode: 'create',
        });
        return data;
      },
      // Keys are unique: a project that appeared since the snapshot is the one the attempt made.
      // One that existed before is not adopted; sending again lets Bitbucket answer 409.
      findCreated: async (existedBefore) => (existedBefore ? undefined : this.getIfExists(input.key)),
    });
  }

  private async exists(key: string): Promise<boolean> {
    return (await this.getIfExists(key)) !== undefined;
  }

  private async getIfExists(key: string): Promise<BitbucketProject | undefined> {
    try {
      return await this.get(key);
    } catch (error) {
      if (error instanceof BitbucketNotFoundError) return undefined;
      throw error;
    }
  }
}
