import type { FastifyInstance } from 'fastify';
import type { Database } from '../store/database';
import { pruneDeliveries } from '../store/deliveries';

/** `liftgate serve --delivery-retention`'s default: the delivery log keeps 30 days. */
export const DEFAULT_DELIVERY_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** How often the log is swept; entries live at most this much longer than the retention. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The delivery log's retention rule: entries whose last delivery is older than `retentionSeconds` are deleted when
 * the control plane is ready and then every hour. Runs stay (their delivery reference is cleared). Replicas may all
 * sweep; deleting an entry twice is harmless.
 */
export function keepDeliveriesFor(app: FastifyInstance, db: Database, retentionSeconds: number): void {
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  const sweep = () => {
    sweeping = sweeping.then(async () => {
      try {
        const deleted = await pruneDeliveries(db, retentionSeconds);
        if (deleted > 0) app.log.info({ deleted, retentionSeconds }, 'delivery log: deleted entries past their retention');
      } catch (error) {
        app.log.warn({ err: error }, 'delivery log: the retention sweep failed; it runs again in an hour');
      }
    });
    return sweeping;
  };
  app.addHook('onReady', async () => {
    await sweep();
    timer = setInterval(sweep, SWEEP_INTERVAL_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await sweeping;
  });
}
