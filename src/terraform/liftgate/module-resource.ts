import type { Module, ModuleCreateInput } from '../../clients/liftgate';
import { ApiNotFoundError } from '../../clients/errors';
import { modulePartProblem } from '../../domain/modules';
import {
  boolAttribute,
  eachElement,
  lengthBetween,
  satisfies,
  setAttribute,
  stringAttribute,
  type ModelOf,
  type ResourceDefinition,
} from '../../plugin';
import { apiErrorDiagnostic, type FieldMap, type LiftgateProviderContext } from './context';

const modulePart = satisfies('lower-case letters, digits and hyphens, starting with a letter or digit (at most 64)', modulePartProblem);

const attributes = {
  id: stringAttribute({ computed: true, description: "The module's id: its name and provider plus a short random suffix." }),
  name: stringAttribute({
    required: true,
    description: 'The module\'s name: the third part of its registry source `<host>/<space_id>/<name>/<terraform_provider>`.',
    requiresReplace: 'the name is part of the registry address, which the control plane keeps immutable.',
    validators: [modulePart],
  }),
  terraform_provider: stringAttribute({
    required: true,
    description: 'The main provider the module is written for (`aws`, `azurerm`, …): the last part of its registry source.',
    requiresReplace: 'the provider is part of the registry address, which the control plane keeps immutable.',
    validators: [modulePart],
  }),
  space_id: stringAttribute({
    optional: true,
    default: 'root',
    description: 'The space the module belongs to: API keys with read on it (or on a space inheriting from it) may use the module. Defaults to `root`.',
  }),
  integration_id: stringAttribute({
    optional: true,
    description: 'The Bitbucket Data Center integration its tags arrive through; unset means the default integration. Same rules as for stacks.',
    validators: [lengthBetween(1, 200)],
  }),
  project_key: stringAttribute({ required: true, description: 'The Bitbucket project key of the repository.', validators: [lengthBetween(1, 128)] }),
  repository_slug: stringAttribute({ required: true, description: "The repository's slug.", validators: [lengthBetween(1, 128)] }),
  branch: stringAttribute({ optional: true, default: 'main', description: 'The branch the module is developed on. Defaults to `main`.', validators: [lengthBetween(1, 255)] }),
  project_root: stringAttribute({
    optional: true,
    default: '',
    description: 'The directory of the module inside the repository ("" for its root); a tag publishes only this directory.',
    validators: [lengthBetween(0, 1024)],
  }),
  description: stringAttribute({ optional: true, default: '', description: 'What the module is for.', validators: [lengthBetween(0, 10_000)] }),
  labels: setAttribute('string', { optional: true, default: [], description: 'Labels of the module.', validators: [eachElement(lengthBetween(1, 100))] }),
  detached: boolAttribute({ computed: true, description: "True when the module's integration was deleted: its tags then publish nothing. It plans an update that attaches it again." }),
};

type ModuleModel = ModelOf<typeof attributes>;

const fields: FieldMap = {
  name: 'name',
  terraformProvider: 'terraform_provider',
  spaceId: 'space_id',
  'vcs.integrationId': 'integration_id',
  'vcs.projectKey': 'project_key',
  'vcs.repositorySlug': 'repository_slug',
  'vcs.branch': 'branch',
  'vcs.projectRoot': 'project_root',
  description: 'description',
  labels: 'labels',
};

function moduleState(module: Module): ModuleModel {
  return {
    id: module.id,
    name: module.name,
    terraform_provider: module.terraformProvider,
    space_id: module.spaceId,
    integration_id: module.vcs.integrationId,
    project_key: module.vcs.projectKey,
    repository_slug: module.vcs.repositorySlug,
    branch: module.vcs.branch,
    project_root: module.vcs.projectRoot,
    description: module.description,
    labels: module.labels,
    detached: module.detached,
  };
}

/** The module as the control plane takes it; `vcs.integrationId` is always sent, which attaches a detached module. */
function moduleInput(config: ModuleModel): ModuleCreateInput {
  return {
    name: config.name as string,
    terraformProvider: config.terraform_provider as string,
    spaceId: config.space_id ?? 'root',
    vcs: {
      integrationId: config.integration_id,
      projectKey: config.project_key as string,
      repositorySlug: config.repository_slug as string,
      branch: config.branch ?? 'main',
      projectRoot: config.project_root ?? '',
    },
    description: config.description ?? '',
    labels: config.labels ?? [],
  };
}

/** `liftgate_module`: a module of the registry, published from the semver tags of a Bitbucket repository. */
export const moduleResource: ResourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_module',
  schema: {
    description:
      'A Liftgate module: Terraform code in a Bitbucket repository, published in versions by pushing semver tags (v1.2.3) and consumed ' +
      'with `source = "<host>/<space_id>/<name>/<terraform_provider>"` through the control plane\'s module registry.',
    attributes,
  },

  async modifyPlan({ prior, plan }) {
    // A new module starts attached; a detached one is attached again by the update (detached true -> false).
    if (plan !== null && (prior === null || prior.detached === true)) return { plan: { ...plan, detached: false } };
    return {};
  },

  async create({ client, config, signal }) {
    const spaceId = config.space_id ?? 'root';
    try {
      return { state: moduleState(await client.api.modules.create(moduleInput(config), { signal })) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `create module "${config.name}"`, role: 'write', spaceId }, fields)] };
    }
  },

  async read({ client, state, signal }) {
    try {
      return { state: moduleState(await client.api.modules.get(state.id as string, { signal })) };
    } catch (error) {
      if (error instanceof ApiNotFoundError) return { state: null };
      return { state, diagnostics: [apiErrorDiagnostic(error, { action: `read module "${state.id}"`, role: 'read', spaceId: state.space_id })] };
    }
  },

  async update({ client, config, prior, signal }) {
    const id = prior.id as string;
    try {
      return { state: moduleState(await client.api.modules.update(id, moduleInput(config), { signal })) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `update module "${id}"`, role: 'write', spaceId: config.space_id ?? 'root' }, fields)] };
    }
  },

  async delete({ client, state, signal }) {
    const id = state.id as string;
    try {
      await client.api.modules.delete(id, { signal });
      return {};
    } catch (error) {
      if (error instanceof ApiNotFoundError) return {};
      return { diagnostics: [apiErrorDiagnostic(error, { action: `delete module "${id}"`, role: 'write', spaceId: state.space_id })] };
    }
  },

  async importState({ id }) {
    const unknown = Object.fromEntries(Object.keys(attributes).map((name) => [name, null])) as ModuleModel;
    return { state: { ...unknown, id } };
  },
};
