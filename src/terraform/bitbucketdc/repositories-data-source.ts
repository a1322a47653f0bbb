/**
 * Data source `bitbucketdc_repositories`: the repositories of one project, for fan-out
 * (`for_each = toset(data.bitbucketdc_repositories.all.slugs)`).
 */
import { attributePath, listAttribute, stringAttribute, type DataSourceDefinition } from '../../plugin';
import { bitbucketErrorDiagnostic } from './bitbucket-diagnostics';
import { type ProviderClient } from './provider-client';
import { projectKeyValidator } from './webhook';

const attributes = {
  project_key: stringAttribute({
    required: true,
    description: 'Key of the project whose repositories are listed, e.g. `PLAT`.',
    validators: [projectKeyValidator],
  }),
  slugs: listAttribute('string', {
    computed: true,
    description: 'The slugs of the project\'s repositories, in the order Bitbucket lists them. Handy for `for_each = toset(...)`.',
  }),
  repositories: listAttribute(
    { object: { id: 'number', slug: 'string', name: 'string', description: 'string', archived: 'bool', default_branch: 'string' } },
    {
      computed: true,
      description:
        'The project\'s repositories in the same order as `slugs`, each with `id`, `slug`, `name`, `description` (null when none), `archived` and `default_branch` (null when Bitbucket does not say).',
    },
  ),
};

export const repositoriesDataSource: DataSourceDefinition<typeof attributes, ProviderClient> = {
  typeName: 'bitbucketdc_repositories',
  schema: {
    description: 'The repositories of a Bitbucket Data Center project (needs PROJECT_READ), e.g. to put a webhook on each.',
    attributes,
  },

  async read({ client, config, signal }) {
    const projectKey = config.project_key!;
    try {
      const repositories = await client.bitbucket.repositories.list(projectKey, { pageSize: 1000, signal }).toArray();
      return {
        state: {
          project_key: projectKey,
          slugs: repositories.map((repository) => repository.slug),
          repositories: repositories.map((repository) => ({
            id: repository.id,
            slug: repository.slug,
            name: repository.name,
            description: repository.description ?? null,
            archived: repository.archived ?? false,
            default_branch: repository.defaultBranch ?? null,
          })),
        },
      };
    } catch (error) {
      return {
        state: null,
        diagnostics: [
          bitbucketErrorDiagnostic(
            {
              action: `list the repositories of project ${projectKey}`,
              target: `project ${projectKey}`,
              permission: 'PROJECT_READ',
              notFoundPath: attributePath('project_key'),
            },
            error,
          ),
        ],
      };
    }
  },
};
