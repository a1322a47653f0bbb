import { z } from 'zod';
import { stackForCaller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import { deleteVariable, listVariables, setVariable } from '../environment';
import { environmentVariable, environmentVariableParams, environmentVariableSet, errorResponses, idParams } from '../schemas';

const tags = ['environment'];

/** `/api/v1/stacks/{id}/environment`: the variables a stack's runs get (SPEC §7.5). */
export const environmentRoutes: RoutePlugin = async (app, { context }) => {
  const { db, secrets } = context;

  app.get(
    '/api/v1/stacks/:id/environment',
    {
      schema: {
        summary: "List the stack's environment variables (read on its space); secret values are never returned (value: null)",
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 200: z.array(environmentVariable).describe('By name'), ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const stack = await stackForCaller(db, caller, request.params.id, 'read');
      return listVariables(db, stack.id);
    },
  );

  app.put(
    '/api/v1/stacks/:id/environment/:name',
    {
      schema: {
        summary: 'Set an environment variable of the stack (write on its space); 201 when new, 200 when replaced',
        description:
          'Names match ^[A-Za-z_][A-Za-z0-9_]*$; TF_HTTP_*, LIFTGATE_*, PATH, HOME, the other variables the worker sets (TF_IN_AUTOMATION, ' +
          'TF_INPUT, CHECKPOINT_DISABLE, TF_CLI_CONFIG_FILE) and those terraform-exec refuses as run input (TF_CLI_ARGS*, TF_WORKSPACE, ' +
          'TF_LOG*, TF_REATTACH_PROVIDERS, TF_APPEND_USER_AGENT) are refused with 422. Values are at most 64 KiB; secret values are ' +
          'encrypted at rest and masked as *** in run logs.',
        tags,
        security: bearerAuth,
        params: environmentVariableParams,
        body: environmentVariableSet,
        response: { 200: environmentVariable, 201: environmentVariable, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const stack = await stackForCaller(db, caller, request.params.id, 'write');
      const { variable, created } = await setVariable(db, secrets, stack.id, request.params.name, request.body);
      return reply.code(created ? 201 : 200).send(variable);
    },
  );

  app.delete(
    '/api/v1/stacks/:id/environment/:name',
    {
      schema: {
        summary: 'Delete an environment variable of the stack (write on its space)',
        tags,
        security: bearerAuth,
        params: environmentVariableParams,
        response: { 204: z.undefined(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const stack = await stackForCaller(db, caller, request.params.id, 'write');
      await deleteVariable(db, stack.id, request.params.name);
      return reply.code(204).send();
    },
  );
};
