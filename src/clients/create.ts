import { ApiError } from './errors';
import { backoffDelayMs, failedBeforeReachingServer, isTransient, type Clock, type RetryPolicy } from './retry';

export interface CreateSteps<Snapshot, T> {
  /** What already exists that the create could be confused with (taken before the first attempt). */
  snapshot(): Promise<Snapshot>;
  /** One create request (the transport already repeats 429s and failures before sending). */
  create(): Promise<T>;
  /**
   * After a failure the server may have acted on: the object the failed attempt made, if any.
   * Returning undefined is the proof that nothing was made, and the create is sent again.
   */
  findCreated(snapshot: Snapshot): Promise<T | undefined>;
}

/**
 * Runs a non-idempotent create (with the transport's retry policy and clock) so that a 5xx, a timeout or a reset connection never produces a
 * duplicate: after such a failure it looks for the object the attempt may have made (by comparing
 * with the snapshot) and adopts it, and only sends the create again when nothing was made.
 * Concurrent creators of the same object are outside what this can detect. A caller that gave up
 * (`signal` aborted) gets the failure at once; the next create adopts what this one may have made.
 */
export async function createWithoutDuplicates<Snapshot, T>(
  retry: { retryPolicy: RetryPolicy; clock: Clock },
  steps: CreateSteps<Snapshot, T>,
  signal?: AbortSignal,
): Promise<T> {
  const snapshot = await steps.snapshot();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await steps.create();
    } catch (error) {
      const mayHaveBeenMade = error instanceof ApiError && isTransient(error) && !failedBeforeReachingServer(error);
      if (!mayHaveBeenMade || signal?.aborted === true) throw error;
      await retry.clock.sleep(backoffDelayMs(retry.retryPolicy, attempt), signal);
      // Looked for even after the last attempt, so giving up never hides an object that was made.
      const made = await steps.findCreated(snapshot);
      if (made !== undefined) return made;
      if (attempt >= retry.retryPolicy.maxRetries) throw error;
    }
  }
}
