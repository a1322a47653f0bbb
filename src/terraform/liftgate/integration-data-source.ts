import type { IntegrationSummary } from '../../clients/liftgate';
import {
  boolAttribute,
  errorDiagnostic,
  setAttribute,
  stringAttribute,
  warningDiagnostic,
  type DataSourceDefinition,
  type Diagnostic,
} from '../../plugin';
import { apiErrorDiagnostic, type LiftgateProviderContext } from './context';
import { ApiForbiddenError } from '../../clients/errors';

const attributes = {
  id: stringAttribute({ optional: true, computed: true, description: 'The integration\'s id; leave it out for the default integration.' }),
  name: stringAttribute({ computed: true, description: 'The integration\'s name.' }),
  is_default: boolAttribute({ computed: true, description: 'Whether it is the default integration.' }),
  space_id: stringAttribute({ computed: true, description: 'Its space (`root` for the default integration).' }),
  api_host: stringAttribute({ computed: true, description: 'The URL the control plane calls.' }),
  user_facing_host: stringAttribute({ computed: true, description: 'The URL shown to people.' }),
  username: stringAttribute({ computed: true, description: 'The Bitbucket user (null without the admin role on its space).' }),
  labels: setAttribute('string', { computed: true, description: 'Labels of the integration.' }),
  description: stringAttribute({ computed: true, description: 'The description.' }),
  webhook_url: stringAttribute({ computed: true, description: 'Where Bitbucket sends webhooks.' }),
  webhook_secret: stringAttribute({
    computed: true,
    sensitive: true,
    description: 'The secret Bitbucket signs deliveries with (null without the admin role on its space).',
  }),
};

/** `data "liftgate_bitbucket_datacenter_integration"`: an integration by id, or the default one. */
export const integrationDataSource: DataSourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_bitbucket_datacenter_integration',
  schema: {
    description:
      'An existing Bitbucket Data Center integration, by id or (without id) the default one. Its username and webhook secret ' +
      'are filled in when the key holds the admin role on its space (root for the default integration).',
    attributes,
  },

  async read({ client, config, signal }) {
    const wanted = config.id;
    let summary: IntegrationSummary | undefined;
    try {
      const listed = await client.api.integrations.list({ signal });
      summary = listed.find((candidate) => (wanted === null ? candidate.isDefault : candidate.id === wanted));
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: 'list integrations', role: 'read', spaceId: 'root' })] };
    }
    if (summary === undefined) {
      return {
        state: null,
        diagnostics: [
          wanted === null
            ? errorDiagnostic('No default integration', 'The control plane has no default Bitbucket Data Center integration; give an id.')
            : errorDiagnostic(
                `Integration "${wanted}" not found`,
                `No integration "${wanted}" is visible to the provider's API key: it does not exist, or the key has no role on its space.`,
              ),
        ],
      };
    }
    const diagnostics: Diagnostic[] = [];
    let username: string | null = null;
    let webhookSecret: string | null = null;
    try {
      const details = await client.api.integrations.get(summary.id, { signal });
      username = details.username;
      webhookSecret = details.webhookSecret;
    } catch (error) {
      if (!(error instanceof ApiForbiddenError)) {
        return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `read integration "${summary.id}"`, role: 'admin', spaceId: summary.spaceId })] };
      }
      diagnostics.push(
        warningDiagnostic(
          `username and webhook_secret of integration "${summary.id}" are null`,
          `They need the admin role on space "${summary.spaceId}", which the provider's API key lacks.`,
        ),
      );
    }
    return {
      state: {
        id: summary.id,
        name: summary.name,
        is_default: summary.isDefault,
        space_id: summary.spaceId,
        api_host: summary.apiHost,
        user_facing_host: summary.userFacingHost,
        username,
        labels: summary.labels,
        description: summary.description,
        webhook_url: summary.webhookUrl,
        webhook_secret: webhookSecret,
      },
      diagnostics,
    };
  },
};
