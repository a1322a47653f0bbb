import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ROOT_SPACE_ID } from '../../domain/model';
import { bearerAuth, type RoutePlugin } from '../context';
import { ConflictError, NotFoundError } from '../errors';
import { errorResponses, idParams, vcsAgentPool, vcsAgentPoolCreate, vcsAgentPoolCreated } from '../schemas';
import { hashSecret } from '../secrets';
import { deleteVcsAgentPool, findVcsAgentPool, insertVcsAgentPool, listVcsAgentPools, type VcsAgentPoolRecord } from '../store/vcsAgentPools';

const tags = ['vcs-agent-pools'];
const base = '/api/v1/vcs-agent-pools';

/**
 * VCS agent pools (SPEC §9): `liftgate vcs-agent` processes inside a private network dial out with the pool's token
 * and carry the Bitbucket calls of integrations whose apiHost is private://<pool name>. Admins of the pool's space
 * create and delete it; readers of the space list it with its connected agents.
 */
export const vcsAgentPoolRoutes: RoutePlugin = async (app, { context }) => {
  const { db, agents } = context;
  const view = (pool: VcsAgentPoolRecord) => ({ ...pool, ...agents.connections(pool.name) });

  app.post(
    base,
    {
      schema: {
        summary: 'Create a VCS agent pool (admin on its space); its token is shown only in this response',
        tags,
        security: bearerAuth,
        body: vcsAgentPoolCreate,
        response: { 201: vcsAgentPoolCreated, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const spaceId = request.body.spaceId ?? ROOT_SPACE_ID;
      caller.require('admin', spaceId, `space "${spaceId}"`);
      // 256 random bits with a prefix that makes a leaked token greppable, like API keys.
      const token = `lgp_${randomBytes(32).toString('base64url')}`;
      const created = await insertVcsAgentPool(db, {
        id: `pool-${randomBytes(6).toString('hex')}`,
        name: request.body.name,
        spaceId,
        description: request.body.description,
        tokenHash: hashSecret(token),
      });
      if (created === null) throw new ConflictError(`a VCS agent pool named "${request.body.name}" already exists (names are unique without regard to case)`, { field: 'name' });
      return reply.code(201).send({ ...view(created), token });
    },
  );

  app.get(
    base,
    {
      schema: {
        summary: 'List the VCS agent pools of spaces the caller can read, with their connected agents and last activity',
        tags,
        security: bearerAuth,
        response: { 200: z.array(vcsAgentPool), ...errorResponses(401) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      return (await listVcsAgentPools(db)).filter((pool) => caller.can('read', pool.spaceId)).map(view);
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        summary: 'A VCS agent pool (read on its space)',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 200: vcsAgentPool, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const pool = await findVcsAgentPool(db, request.params.id);
      if (pool === null || !caller.can('read', pool.spaceId)) throw new NotFoundError(`VCS agent pool "${request.params.id}" not found`);
      return view(pool);
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        summary: 'Delete a VCS agent pool (admin on its space); its token stops working and its agents are disconnected',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 204: z.undefined(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const pool = await findVcsAgentPool(db, request.params.id);
      if (pool === null || !caller.can('read', pool.spaceId)) throw new NotFoundError(`VCS agent pool "${request.params.id}" not found`);
      caller.require('admin', pool.spaceId, `VCS agent pool "${pool.name}"`);
      await deleteVcsAgentPool(db, pool.id);
      agents.disconnectPool(pool.name);
      return reply.code(204).send();
    },
  );
};
