import { integrationForCaller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import { errorResponses, idParams } from '../schemas';
import { listDeliveries } from '../store/deliveries';
import { deliveryList, NEXT_CURSOR_HEADER, pageQuery } from '../webhooks/schemas';

/**
 * `GET /api/v1/integrations/bitbucket-datacenter/{id}/deliveries`: the integration's webhook delivery log.
 * Part of the integration's details, so it needs admin on its space (root for the default integration).
 */
export const deliveryRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;

  app.get(
    '/api/v1/integrations/bitbucket-datacenter/:id/deliveries',
    {
      schema: {
        summary: "List the integration's webhook deliveries, newest first (admin on the integration's space)",
        tags: ['integrations'],
        security: bearerAuth,
        params: idParams,
        querystring: pageQuery,
        response: { 200: deliveryList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const integration = await integrationForCaller(db, caller, request.params.id, 'details');
      const { limit, cursor } = request.query;
      const page = await listDeliveries(db, integration.id, limit, cursor === undefined ? null : BigInt(cursor));
      if (page.nextCursor !== null) reply.header(NEXT_CURSOR_HEADER, page.nextCursor);
      return page.items;
    },
  );
};
