import { z } from 'zod';
import { integrationForCaller, type Caller } from '../auth/access';
import { bearerAuth, type RoutePlugin, type ServerContext } from '../context';
import { checkUserFacingHost, effectiveUserFacingHost, requireApiHost } from '../credentials';
import { ROOT_SPACE_ID, type Integration } from '../../domain/model';
import { strandedByMove } from '../../domain/integrations';
import { slugify } from '../../domain/spaces';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { accessTokenContext, randomHex, webhookSecretContext } from '../secrets';
import {
  errorResponses,
  idParams,
  integrationCreate,
  integrationDeleted,
  integrationDetails,
  integrationPatch,
  integrationSummary,
} from '../schemas';
import { sqlState, UNIQUE_VIOLATION } from '../store/database';
import {
  deleteIntegration,
  findDefaultIntegration,
  findIntegration,
  insertIntegration,
  listIntegrations,
  lockIntegrationForChange,
  updateIntegration,
  type StoredIntegration,
} from '../store/integrations';
import { loadSpaceTree } from '../store/spaces';
import { detachModulesOfIntegration } from '../store/modules';
import { detachStacksOfIntegration, listStacksUsingIntegration } from '../store/stacks';
import { nameObjects } from './spaces';

const tags = ['integrations'];
const base = '/api/v1/integrations/bitbucket-datacenter';

/** What anyone who can list the integration sees. */
function integrationSummaryView(context: ServerContext, integration: Integration): z.output<typeof integrationSummary> {
  return {
    id: integration.id,
    name: integration.name,
    isDefault: integration.isDefault,
    spaceId: integration.spaceId,
    apiHost: integration.apiHost,
    userFacingHost: effectiveUserFacingHost(integration.userFacingHost, integration.apiHost),
    webhookUrl: context.webhookUrlFor(integration.id),
    labels: integration.labels,
    description: integration.description,
    createdAt: integration.createdAt,
    updatedAt: integration.updatedAt,
  };
}

/** What admins of the integration's space see in addition. The access token is never part of any view. */
function integrationDetailsView(context: ServerContext, integration: StoredIntegration): z.output<typeof integrationDetails> {
  return {
    ...integrationSummaryView(context, integration),
    username: integration.username,
    webhookSecret: context.secrets.decrypt(integration.webhookSecretEncrypted, webhookSecretContext(integration.id)),
  };
}

export const integrationRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;

  app.post(
    base,
    {
      schema: {
        summary: 'Create a Bitbucket Data Center integration (admin on its space; root for the default one)',
        description: 'Credentials are verified against Bitbucket (for private://<pool>, through a connected agent of the pool; unchecked while none is). The access token is write-only.',
        tags,
        security: bearerAuth,
        body: integrationCreate,
        response: { 201: integrationDetails, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const body = request.body;
      const spaceId = body.spaceId ?? ROOT_SPACE_ID;
      if (body.isDefault && spaceId !== ROOT_SPACE_ID) {
        throw new UnprocessableError(`a default integration lives in root; spaceId must be "root", got "${spaceId}"`, { field: 'spaceId' });
      }
      caller.require('admin', spaceId, `space "${spaceId}"`);
      const id = slugify(body.name);
      if (id === '') throw new UnprocessableError('name must contain at least one letter or digit', { field: 'name' });
      requireApiHost(body.apiHost);
      if (body.userFacingHost !== undefined && body.userFacingHost !== null) checkUserFacingHost(body.userFacingHost);
      await refuseDuplicate(caller, id, body.isDefault);
      await context.verifyCredentialsUnlessPrivate({ apiHost: body.apiHost, username: body.username, accessToken: body.accessToken });
      try {
        const created = await insertIntegration(db, {
          id,
          name: body.name,
          isDefault: body.isDefault,
          spaceId,
          apiHost: body.apiHost,
          userFacingHost: body.userFacingHost ?? null,
          username: body.username,
          accessTokenEncrypted: context.secrets.encrypt(body.accessToken, accessTokenContext({ id, username: body.username, apiHost: body.apiHost })),
          webhookSecretEncrypted: context.secrets.encrypt(randomHex(32), webhookSecretContext(id)),
          labels: body.labels,
          description: body.description,
        });
        return reply.code(201).send(integrationDetailsView(context, created));
      } catch (error) {
        // Another request created the same name or a second default between the check and the insert.
        if (sqlState(error) === UNIQUE_VIOLATION) await refuseDuplicate(caller, id, body.isDefault);
        throw error;
      }
    },
  );

  /**
   * 409 when the name (its slug) or a second default is taken. Names are unique per account, so a caller may learn
   * that a name is taken; about an integration it cannot list it learns nothing else (not its space or details).
   */
  async function refuseDuplicate(caller: Caller, id: string, isDefault: boolean) {
    const existing = await findIntegration(db, id);
    if (existing !== null) {
      throw caller.canListIntegration(existing)
        ? new ConflictError(`an integration with id "${id}" already exists (integration names are unique per account)`, { id })
        : new ConflictError(`the name is not available: its id "${id}" is taken (integration names are unique per account)`, {
            field: 'name',
          });
    }
    const existingDefault = isDefault ? await findDefaultIntegration(db) : null;
    if (existingDefault !== null) {
      throw new ConflictError(`a default Bitbucket Data Center integration already exists: "${existingDefault.id}"`, {
        id: existingDefault.id,
      });
    }
  }

  app.get(
    base,
    {
      schema: {
        summary: 'List the integrations the caller can see (the default one, and those of spaces it can read)',
        tags,
        security: bearerAuth,
        response: { 200: z.array(integrationSummary), ...errorResponses(401) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      return (await listIntegrations(db))
        .filter((integration) => caller.canListIntegration(integration))
        .map((integration) => integrationSummaryView(context, integration));
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        summary: 'Get an integration with its username and webhook secret (admin on its space; root for the default one)',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 200: integrationDetails, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      return integrationDetailsView(context, await integrationForCaller(db, caller, request.params.id, 'details'));
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        summary: 'Update an integration (admin on its space); name and isDefault are immutable',
        description:
          'A new accessToken is verified against Bitbucket (for private://<pool>, through a connected agent of the pool; unchecked while none is). Changing apiHost or username needs ' +
          'accessToken in the same request (422 otherwise): the stored token is only sent to the host and user it was given for.',
        tags,
        security: bearerAuth,
        params: idParams,
        body: integrationPatch,
        response: { 200: integrationDetails, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const current = await integrationForCaller(db, caller, request.params.id, 'admin');
      const body = request.body;
      if (body.name !== undefined && body.name !== current.name) {
        throw new UnprocessableError('name is immutable: create a new integration to rename (the webhook URL derives from it)', {
          field: 'name',
        });
      }
      if (body.isDefault !== undefined && body.isDefault !== current.isDefault) {
        throw new UnprocessableError('isDefault is immutable: create a new integration instead', { field: 'isDefault' });
      }
      const spaceId = body.spaceId ?? current.spaceId;
      if (spaceId !== current.spaceId) {
        if (current.isDefault) {
          throw new UnprocessableError('a default integration lives in root; its spaceId cannot change', { field: 'spaceId' });
        }
        caller.require('admin', spaceId, `space "${spaceId}"`);
      }
      const apiHost = body.apiHost ?? current.apiHost;
      const username = body.username ?? current.username;
      if (apiHost !== current.apiHost) requireApiHost(apiHost);
      if (body.userFacingHost !== undefined && body.userFacingHost !== null) checkUserFacingHost(body.userFacingHost);
      // The stored token is sealed to the host and username it was given for and only ever goes there: a new host or
      // username needs the token again, and a given token is always verified (never compared with the stored one).
      if ((apiHost !== current.apiHost || username !== current.username) && body.accessToken === undefined) {
        throw new UnprocessableError(
          `changing ${apiHost !== current.apiHost ? 'apiHost' : 'username'} needs the access token in the same request: ` +
            'the stored token is only ever sent to the host and username it was given for',
          { field: 'accessToken' },
        );
      }
      if (body.accessToken !== undefined) {
        await context.verifyCredentialsUnlessPrivate({ apiHost, username, accessToken: body.accessToken });
      }
      return db.transaction(async (tx) => {
        // Locked first: a stack attached to it meanwhile (which holds it FOR SHARE) is then seen below.
        if ((await lockIntegrationForChange(tx, current.id)) === null) throw new NotFoundError(`integration "${current.id}" not found`);
        if (spaceId !== current.spaceId) {
          // Moving must not take the integration away from stacks that use it.
          const stranded = strandedByMove(await loadSpaceTree(tx), current, spaceId, await listStacksUsingIntegration(tx, current)).map((stack) => stack.id);
          if (stranded.length > 0) {
            throw new ConflictError(
              `moving integration "${current.id}" to space "${spaceId}" would leave ${nameObjects('stacks', stranded)} unable to use it`,
              { stacks: stranded },
            );
          }
        }
        const updated = await updateIntegration(tx, current.id, {
          spaceId,
          apiHost,
          userFacingHost: body.userFacingHost === undefined ? current.userFacingHost : body.userFacingHost,
          username,
          accessTokenEncrypted:
            body.accessToken === undefined
              ? current.accessTokenEncrypted
              : context.secrets.encrypt(body.accessToken, accessTokenContext({ id: current.id, username, apiHost })),
          labels: body.labels ?? current.labels,
          description: body.description ?? current.description,
        });
        if (updated === null) throw new NotFoundError(`integration "${current.id}" not found`);
        return integrationDetailsView(context, updated);
      });
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        summary: 'Delete an integration (admin on its space); the stacks using it become detached and are named',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 200: integrationDeleted, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const current = await integrationForCaller(db, caller, request.params.id, 'admin');
      return db.transaction(async (tx) => {
        const detachedStacks = await detachStacksOfIntegration(tx, current);
        const detachedModules = await detachModulesOfIntegration(tx, current);
        if (!(await deleteIntegration(tx, current.id))) throw new NotFoundError(`integration "${current.id}" not found`);
        return { id: current.id, detachedStacks, detachedModules };
      });
    },
  );
};
