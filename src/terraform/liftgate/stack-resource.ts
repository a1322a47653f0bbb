import type { Stack, StackCreateInput } from '../../clients/liftgate';
import {
  attributePath,
  boolAttribute,
  eachElement,
  errorDiagnostic,
  lengthBetween,
  setAttribute,
  stringAttribute,
  type Diagnostic,
  type ModelOf,
  type ResourceDefinition,
} from '../../plugin';
import { SpaceTree } from '../../domain/spaces';
import { apiErrorDiagnostic, type FieldMap, type LiftgateProviderContext } from './context';
import { ApiNotFoundError } from '../../clients/errors';

const attributes = {
  id: stringAttribute({ computed: true, description: 'The stack\'s id: a slug of its name plus a short random suffix.' }),
  name: stringAttribute({ required: true, description: 'The stack\'s name.', validators: [lengthBetween(1, 100)] }),
  space_id: stringAttribute({ optional: true, default: 'root', description: 'The space the stack belongs to. Defaults to `root`.' }),
  integration_id: stringAttribute({
    optional: true,
    description:
      'The Bitbucket Data Center integration the stack uses; unset means the default integration. It must be the default ' +
      'integration, one of the stack\'s space, or one of a space the stack\'s space inherits entities from.',
    validators: [lengthBetween(1, 200)],
  }),
  project_key: stringAttribute({ required: true, description: 'The Bitbucket project key of the repository.', validators: [lengthBetween(1, 128)] }),
  repository_slug: stringAttribute({ required: true, description: 'The repository\'s slug.', validators: [lengthBetween(1, 128)] }),
  branch: stringAttribute({ required: true, description: 'The tracked branch: pushes to it start tracked runs.', validators: [lengthBetween(1, 255)] }),
  project_root: stringAttribute({ optional: true, default: '', description: 'The directory of the project inside the repository ("" for its root).', validators: [lengthBetween(0, 1024)] }),
  autodeploy: boolAttribute({ optional: true, default: false, description: 'Whether tracked runs apply without confirmation.' }),
  labels: setAttribute('string', { optional: true, default: [], description: 'Labels of the stack.', validators: [eachElement(lengthBetween(1, 100))] }),
  manage_state: boolAttribute({
    optional: true,
    default: true,
    description:
      'Whether the control plane holds the stack\'s Terraform state (runs use its http backend). False: the stack\'s code brings its own ' +
      'backend. Turning it off keeps the stored state and its versions.',
  }),
  detached: boolAttribute({
    computed: true,
    description:
      'True when the stack\'s integration was deleted: it then receives no webhooks and refuses runs. A detached stack plans ' +
      'an update that attaches it again.',
  }),
};

type StackModel = ModelOf<typeof attributes>;

const fields: FieldMap = {
  name: 'name',
  spaceId: 'space_id',
  'vcs.integrationId': 'integration_id',
  'vcs.projectKey': 'project_key',
  'vcs.repositorySlug': 'repository_slug',
  'vcs.branch': 'branch',
  'vcs.projectRoot': 'project_root',
  autodeploy: 'autodeploy',
  labels: 'labels',
  manageState: 'manage_state',
};

function stackState(stack: Stack): StackModel {
  return {
    id: stack.id,
    name: stack.name,
    space_id: stack.spaceId,
    integration_id: stack.vcs.integrationId,
    project_key: stack.vcs.projectKey,
    repository_slug: stack.vcs.repositorySlug,
    branch: stack.vcs.branch,
    project_root: stack.vcs.projectRoot,
    autodeploy: stack.autodeploy,
    labels: stack.labels,
    manage_state: stack.manageState,
    detached: stack.detached,
  };
}

/**
 * Whether the stack can never use the integration, whatever else this apply changes: an integration of a
 * space that is neither the stack's nor one of its ancestors is out of reach for good (spaces cannot move).
 * Inheritance settings may change in the same apply, so they are left to the control plane.
 */
async function integrationOutOfReach(
  context: LiftgateProviderContext,
  spaceId: string,
  integrationId: string,
  signal: AbortSignal,
): Promise<Diagnostic | null> {
  const [integrations, spaces] = await Promise.all([context.api.integrations.list({ signal }), context.api.spaces.list({ signal })]);
  const integration = integrations.find((candidate) => candidate.id === integrationId);
  if (integration === undefined || integration.isDefault) return null;
  const chain = new SpaceTree(spaces).completePathToRoot(spaceId);
  if (chain === null || chain.includes(integration.spaceId)) return null;
  return errorDiagnostic(
    'The integration is out of reach of this stack',
    `Integration "${integrationId}" belongs to space "${integration.spaceId}", which is neither space "${spaceId}" nor one of its ancestors ` +
      `(${chain.map((id) => `"${id}"`).join(' → ')}), so the control plane would refuse it. A stack may use the default integration, ` +
      'one of its own space, or one of an ancestor space its space inherits entities from.',
    attributePath('integration_id'),
  );
}

/**
 * The stack as the control plane takes it, for create and update alike. `vcs.integrationId` is always
 * sent: setting it (null included) is what attaches a detached stack.
 */
function stackInput(config: StackModel): StackCreateInput {
  return {
    name: config.name as string,
    spaceId: config.space_id ?? 'root',
    vcs: {
      integrationId: config.integration_id,
      projectKey: config.project_key as string,
      repositorySlug: config.repository_slug as string,
      branch: config.branch as string,
      projectRoot: config.project_root ?? '',
    },
    autodeploy: config.autodeploy ?? false,
    labels: config.labels ?? [],
    manageState: config.manage_state ?? true,
  };
}

/** `liftgate_stack`: a stack of the control plane, tracking a branch of a Bitbucket repository. */
export const stackResource: ResourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_stack',
  schema: {
    description:
      'A Liftgate stack: runs for pushes and pull requests of one Bitbucket repository, through a Bitbucket Data Center ' +
      'integration. A stack detached by deleting its integration shows up as a change that attaches it again.',
    attributes,
  },

  async modifyPlan({ client, prior, plan, signal }) {
    if (plan === null) {
      if (prior !== null) client.stacksLeavingTheirIntegration.add(prior.id as string);
      return {};
    }
    if (prior !== null && plan.integration_id !== prior.integration_id) client.stacksLeavingTheirIntegration.add(prior.id as string);
    const diagnostics: Diagnostic[] = [];
    const integrationId = plan.integration_id;
    const spaceId = plan.space_id;
    const placementChanged = prior === null || integrationId !== prior.integration_id || spaceId !== prior.space_id;
    if (placementChanged && typeof integrationId === 'string' && typeof spaceId === 'string') {
      try {
        const problem = await integrationOutOfReach(client, spaceId, integrationId, signal);
        if (problem !== null) diagnostics.push(problem);
      } catch (error) {
        diagnostics.push(apiErrorDiagnostic(error, { action: `check that stacks in space "${spaceId}" may use integration "${integrationId}"`, role: 'read', spaceId }));
      }
    }
    // A new stack starts attached; a detached one is attached again by the update (detached true -> false).
    if (prior === null || prior.detached === true) return { plan: { ...plan, detached: false }, diagnostics };
    return { diagnostics };
  },

  async create({ client, config, signal }) {
    const spaceId = config.space_id ?? 'root';
    try {
      const stack = await client.api.stacks.create(stackInput(config), { signal });
      return { state: stackState(stack) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `create stack "${config.name}"`, role: 'write', spaceId }, fields)] };
    }
  },

  async read({ client, state, signal }) {
    try {
      return { state: stackState(await client.api.stacks.get(state.id as string, { signal })) };
    } catch (error) {
      if (error instanceof ApiNotFoundError) return { state: null };
      return { state, diagnostics: [apiErrorDiagnostic(error, { action: `read stack "${state.id}"`, role: 'read', spaceId: state.space_id })] };
    }
  },

  async update({ client, config, prior, signal }) {
    const id = prior.id as string;
    const spaceId = config.space_id ?? 'root';
    try {
      const stack = await client.api.stacks.update(id, stackInput(config), { signal });
      return { state: stackState(stack) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `update stack "${id}"`, role: 'write', spaceId }, fields)] };
    }
  },

  async delete({ client, state, signal }) {
    const id = state.id as string;
    try {
      await client.api.stacks.delete(id, { signal });
      return {};
    } catch (error) {
      if (error instanceof ApiNotFoundError) return {};
      return { diagnostics: [apiErrorDiagnostic(error, { action: `delete stack "${id}"`, role: 'write', spaceId: state.space_id })] };
    }
  },

  async importState({ id }) {
    return {
      state: {
        id,
        name: null,
        space_id: null,
        integration_id: null,
        project_key: null,
        repository_slug: null,
        branch: null,
        project_root: null,
        autodeploy: null,
        labels: null,
        manage_state: null,
        detached: null,
      },
    };
  },
};
