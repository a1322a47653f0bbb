import type { EnvironmentVariable } from '../../clients/liftgate';
import { ApiNotFoundError } from '../../clients/errors';
import { environmentVariableNameProblem, environmentVariableValueProblem } from '../../domain/environment';
import {
  boolAttribute,
  invalidValue,
  lengthBetween,
  splitImportId,
  stringAttribute,
  type ModelOf,
  type ResourceDefinition,
  type Validator,
} from '../../plugin';
import { apiErrorDiagnostic, type FieldMap, type LiftgateProviderContext } from './context';

/** The control plane's rule for names (SPEC §7.5), checked at `validate` so a refused name fails before any apply. */
const environmentVariableName: Validator<string> = {
  description: 'a name matching ^[A-Za-z_][A-Za-z0-9_]*$ that is not reserved (TF_HTTP_*, LIFTGATE_*, PATH, HOME, TF_CLI_ARGS*, TF_LOG*, …)',
  validate(value, context) {
    const problem = environmentVariableNameProblem(value);
    return problem === null ? [] : [invalidValue(context, `is not allowed: ${problem}`, value)];
  },
};

const environmentVariableValue: Validator<string> = {
  description: 'at most 64 KiB of UTF-8 without NUL characters',
  validate(value, context) {
    const problem = environmentVariableValueProblem(value);
    return problem === null ? [] : [invalidValue(context, `is not allowed: ${problem}`, value)];
  },
};

const attributes = {
  id: stringAttribute({ computed: true, description: 'The variable\'s id: `<stack_id>/<name>` (also its import id).' }),
  stack_id: stringAttribute({
    required: true,
    description: 'The stack whose runs get the variable.',
    requiresReplace: 'a variable belongs to one stack.',
    validators: [lengthBetween(1, 200)],
  }),
  name: stringAttribute({
    required: true,
    description:
      'The variable\'s name. Names the worker sets itself or that change how Terraform runs are refused: TF_HTTP_*, LIFTGATE_*, PATH, ' +
      'HOME, TF_IN_AUTOMATION, TF_INPUT, CHECKPOINT_DISABLE, TF_CLI_CONFIG_FILE, TF_CLI_ARGS*, TF_WORKSPACE, TF_LOG*, TF_REATTACH_PROVIDERS, ' +
      'TF_APPEND_USER_AGENT.',
    requiresReplace: 'the name identifies the variable; a rename deletes the old one and creates the new one.',
    validators: [environmentVariableName],
  }),
  value: stringAttribute({
    required: true,
    sensitive: true,
    description:
      'The variable\'s value (at most 64 KiB). Marked sensitive in plans and state. The control plane never returns a secret value, so a ' +
      'change made to a secret variable outside Terraform is not seen.',
    validators: [environmentVariableValue],
  }),
  secret: boolAttribute({
    optional: true,
    default: false,
    description: 'Whether the value is secret: encrypted at rest, never returned by the API, and masked as *** in run logs.',
  }),
};

type VariableModel = ModelOf<typeof attributes>;

const fields: FieldMap = { name: 'name', value: 'value' };

function variableId(stackId: string, name: string): string {
  return `${stackId}/${name}`;
}

/**
 * The state after the control plane answered: a plain variable's value as stored, a secret one's as configured (or as
 * it was in state: the API never returns it).
 */
function variableState(stackId: string, variable: EnvironmentVariable, knownValue: string | null): VariableModel {
  return {
    id: variableId(stackId, variable.name),
    stack_id: stackId,
    name: variable.name,
    value: variable.secret ? knownValue : variable.value,
    secret: variable.secret,
  };
}

/** Create and update alike: PUT sets the variable whether or not it exists. */
async function setVariable(client: LiftgateProviderContext, config: VariableModel, signal: AbortSignal) {
  const stackId = config.stack_id as string;
  const name = config.name as string;
  try {
    const variable = await client.api.environment.set(stackId, name, { value: config.value as string, secret: config.secret ?? false }, { signal });
    return { state: variableState(stackId, variable, config.value) };
  } catch (error) {
    return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `set environment variable "${name}" of stack "${stackId}"`, role: 'write', spaceId: null }, fields)] };
  }
}

/** `liftgate_stack_environment_variable`: one environment variable of a stack's runs (SPEC §7.5). */
export const environmentVariableResource: ResourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_stack_environment_variable',
  schema: {
    description:
      'An environment variable every run of a Liftgate stack gets (plain, or secret: encrypted at rest, never returned, masked in run ' +
      'logs). Setting a variable that already exists takes it over.',
    attributes,
  },

  create: ({ client, config, signal }) => setVariable(client, config, signal),

  async read({ client, state, signal }) {
    const stackId = state.stack_id as string;
    const name = state.name as string;
    try {
      const variable = (await client.api.environment.list(stackId, { signal })).find((candidate) => candidate.name === name);
      return { state: variable === undefined ? null : variableState(stackId, variable, state.value) };
    } catch (error) {
      if (error instanceof ApiNotFoundError) return { state: null };
      return { state, diagnostics: [apiErrorDiagnostic(error, { action: `read the environment of stack "${stackId}"`, role: 'read', spaceId: null })] };
    }
  },

  update: ({ client, config, signal }) => setVariable(client, config, signal),

  async delete({ client, state, signal }) {
    const stackId = state.stack_id as string;
    const name = state.name as string;
    try {
      await client.api.environment.delete(stackId, name, { signal });
      return {};
    } catch (error) {
      if (error instanceof ApiNotFoundError) return {};
      return { diagnostics: [apiErrorDiagnostic(error, { action: `delete environment variable "${name}" of stack "${stackId}"`, role: 'write', spaceId: null })] };
    }
  },

  async importState({ id }) {
    const split = splitImportId(id, ['stack_id', 'name']);
    if (split.parts === undefined) return { state: null, diagnostics: split.diagnostics };
    const { stack_id: stackId, name } = split.parts;
    return { state: { id: variableId(stackId, name), stack_id: stackId, name, value: null, secret: null } };
  },
};
