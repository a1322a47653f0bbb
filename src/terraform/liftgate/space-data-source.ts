import { boolAttribute, setAttribute, stringAttribute, type DataSourceDefinition } from '../../plugin';
import { apiErrorDiagnostic, type LiftgateProviderContext } from './context';
import { spaceState } from './space-resource';

const attributes = {
  id: stringAttribute({ required: true, description: 'The space\'s id (`root` for the root space).' }),
  name: stringAttribute({ computed: true, description: 'The space\'s name.' }),
  parent_space_id: stringAttribute({ computed: true, description: 'The parent space (null for root).' }),
  inherit_entities: boolAttribute({ computed: true, description: 'Whether stacks here may use the parent space\'s integrations.' }),
  description: stringAttribute({ computed: true, description: 'The description.' }),
  labels: setAttribute('string', { computed: true, description: 'Labels of the space.' }),
};

/** `data "liftgate_space"`: an existing space by id. */
export const spaceDataSource: DataSourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_space',
  schema: { description: 'An existing Liftgate space, by id (needs the read role on it).', attributes },

  async read({ client, config, signal }) {
    const id = config.id as string;
    try {
      return { state: spaceState(await client.api.spaces.get(id, { signal })) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `read space "${id}"`, role: 'read', spaceId: id })] };
    }
  },
};
