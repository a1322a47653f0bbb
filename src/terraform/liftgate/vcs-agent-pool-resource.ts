import type { VcsAgentPool } from '../../clients/liftgate';
import { ApiNotFoundError } from '../../clients/errors';
import { poolNameProblem } from '../../domain/api-hosts';
import { lengthBetween, satisfies, stringAttribute, type ModelOf, type ResourceDefinition } from '../../plugin';
import { apiErrorDiagnostic, type FieldMap, type LiftgateProviderContext } from './context';

const REPLACE = 'a VCS agent pool cannot be changed; a new one is made (with a new token) and the old one deleted.';

const attributes = {
  id: stringAttribute({ computed: true, description: 'The pool\'s id.' }),
  name: stringAttribute({
    required: true,
    description: 'The pool\'s name: integrations reach it with api_host = "private://<name>". Unique without regard to case.',
    validators: [satisfies('a pool name (1 to 63 letters, digits, ".", "_" or "-")', poolNameProblem)],
    requiresReplace: REPLACE,
  }),
  space_id: stringAttribute({ optional: true, default: 'root', description: 'The space whose admins manage the pool. Defaults to `root`.', requiresReplace: REPLACE }),
  description: stringAttribute({ optional: true, default: '', description: 'A description (markdown).', validators: [lengthBetween(0, 10_000)], requiresReplace: REPLACE }),
  token: stringAttribute({
    computed: true,
    sensitive: true,
    description: 'The token `liftgate vcs-agent --token` takes. The control plane shows it only when the pool is created; an imported pool has none.',
  }),
};

type PoolModel = ModelOf<typeof attributes>;

const fields: FieldMap = { name: 'name', spaceId: 'space_id', description: 'description' };

function poolState(pool: VcsAgentPool, token: string | null): PoolModel {
  return { id: pool.id, name: pool.name, space_id: pool.spaceId, description: pool.description, token };
}

/** `liftgate_vcs_agent_pool`: agents holding its token carry the Bitbucket calls of `private://<name>` integrations (SPEC §9). */
export const vcsAgentPoolResource: ResourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_vcs_agent_pool',
  schema: {
    description:
      'A Liftgate VCS agent pool: `liftgate vcs-agent` processes inside a private network dial out to the control plane with its token and carry the Bitbucket calls of integrations whose api_host is private://<name>.',
    attributes,
  },

  async create({ client, config, signal }) {
    const spaceId = config.space_id ?? 'root';
    try {
      const created = await client.api.vcsAgentPools.create({ name: config.name as string, spaceId, description: config.description ?? '' }, { signal });
      return { state: poolState(created, created.token) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `create VCS agent pool "${config.name}"`, role: 'admin', spaceId }, fields)] };
    }
  },

  async read({ client, state, signal }) {
    try {
      return { state: poolState(await client.api.vcsAgentPools.get(state.id as string, { signal }), state.token ?? null) };
    } catch (error) {
      if (error instanceof ApiNotFoundError) return { state: null };
      return { state, diagnostics: [apiErrorDiagnostic(error, { action: `read VCS agent pool "${state.id}"`, role: 'read', spaceId: state.space_id ?? null })] };
    }
  },

  async update({ prior }) {
    return { state: prior };
  },

  async delete({ client, state, signal }) {
    const id = state.id as string;
    try {
      await client.api.vcsAgentPools.delete(id, { signal });
      return {};
    } catch (error) {
      if (error instanceof ApiNotFoundError) return {};
      return { diagnostics: [apiErrorDiagnostic(error, { action: `delete VCS agent pool "${id}"`, role: 'admin', spaceId: state.space_id ?? null })] };
    }
  },

  async importState({ id }) {
    return { state: { id, name: null, space_id: null, description: null, token: null } };
  },
};
