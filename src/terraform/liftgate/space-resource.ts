import type { Space } from '../../clients/liftgate';
import {
  boolAttribute,
  eachElement,
  errorDiagnostic,
  lengthBetween,
  setAttribute,
  stringAttribute,
  type ModelOf,
  type ResourceDefinition,
} from '../../plugin';
import { apiErrorDiagnostic, type FieldMap, type LiftgateProviderContext } from './context';
import { ApiNotFoundError } from '../../clients/errors';

const attributes = {
  id: stringAttribute({ computed: true, description: 'The space\'s id: a slug of its name plus a short random suffix. Immutable.' }),
  name: stringAttribute({ required: true, description: 'The space\'s name.', validators: [lengthBetween(1, 100)] }),
  parent_space_id: stringAttribute({
    optional: true,
    default: 'root',
    description: 'The parent space. Defaults to `root`.',
    requiresReplace: 'a space cannot be moved to another parent.',
  }),
  inherit_entities: boolAttribute({
    optional: true,
    default: false,
    description: 'Whether stacks in this space may use the integrations of the parent space (and of its ancestors while each link inherits).',
  }),
  description: stringAttribute({ optional: true, default: '', description: 'A description (markdown).', validators: [lengthBetween(0, 10_000)] }),
  labels: setAttribute('string', {
    optional: true,
    default: [],
    description: 'Labels of the space.',
    validators: [eachElement(lengthBetween(1, 100))],
  }),
};

type SpaceModel = ModelOf<typeof attributes>;

const fields: FieldMap = { name: 'name', parentSpaceId: 'parent_space_id', inheritEntities: 'inherit_entities', description: 'description', labels: 'labels' };

export function spaceState(space: Space): SpaceModel {
  return {
    id: space.id,
    name: space.name,
    parent_space_id: space.parentSpaceId,
    inherit_entities: space.inheritEntities,
    description: space.description,
    labels: space.labels,
  };
}

/** `liftgate_space`: a node of the control plane's space tree. */
export const spaceResource: ResourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_space',
  schema: {
    description: 'A Liftgate space: scopes stacks and integrations; roles granted on a space apply to all its descendants. Only an empty space can be deleted.',
    attributes,
  },

  async create({ client, config, signal }) {
    const parentSpaceId = config.parent_space_id ?? 'root';
    try {
      const space = await client.api.spaces.create({
        name: config.name as string,
        parentSpaceId,
        inheritEntities: config.inherit_entities ?? false,
        description: config.description ?? '',
        labels: config.labels ?? [],
      }, { signal });
      return { state: spaceState(space) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `create space "${config.name}"`, role: 'admin', spaceId: parentSpaceId }, fields)] };
    }
  },

  async read({ client, state, signal }) {
    try {
      return { state: spaceState(await client.api.spaces.get(state.id as string, { signal })) };
    } catch (error) {
      if (error instanceof ApiNotFoundError) return { state: null };
      return { state, diagnostics: [apiErrorDiagnostic(error, { action: `read space "${state.id}"`, role: 'read', spaceId: state.id })] };
    }
  },

  async update({ client, config, prior, signal }) {
    const id = prior.id as string;
    try {
      const space = await client.api.spaces.update(id, {
        name: config.name as string,
        inheritEntities: config.inherit_entities ?? false,
        description: config.description ?? '',
        labels: config.labels ?? [],
      }, { signal });
      return { state: spaceState(space) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `update space "${id}"`, role: 'admin', spaceId: id }, fields)] };
    }
  },

  async delete({ client, state, signal }) {
    const id = state.id as string;
    try {
      await client.api.spaces.delete(id, { signal });
      return {};
    } catch (error) {
      if (error instanceof ApiNotFoundError) return {};
      return { diagnostics: [apiErrorDiagnostic(error, { action: `delete space "${id}"`, role: 'admin', spaceId: id })] };
    }
  },

  async importState({ id }) {
    if (id === 'root') {
      return {
        state: null,
        diagnostics: [
          errorDiagnostic(
            'The root space cannot be managed',
            'The root space always exists and cannot be renamed, moved or deleted; read it with data "liftgate_space" { id = "root" } instead.',
          ),
        ],
      };
    }
    return {
      state: { id, name: null, parent_space_id: null, inherit_entities: null, description: null, labels: null },
    };
  },
};
