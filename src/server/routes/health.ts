import { z } from 'zod';
import type { RoutePlugin } from '../context';
import { ping } from '../store/database';

/** Liveness and readiness in one: answers 200 only when the store answers. */
export const healthRoutes: RoutePlugin = async (app, { context }) => {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Health check (no authentication)',
        tags: ['health'],
        response: { 200: z.object({ status: z.literal('ok'), store: z.enum(['pglite', 'postgres']) }) },
      },
    },
    async () => {
      await ping(context.db);
      return { status: 'ok' as const, store: context.db.engine };
    },
  );
};
