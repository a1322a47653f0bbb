import { BitbucketError } from './errors';
import { backoffDelayMs, failedBeforeReachingServer, isTransient, sleep, type RetryPolicy } from './retry';

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
 * Runs a non-idempotent create so that a 5xx, a timeout or a reset connection never produces a
 * duplicate: after such a failure it looks for the object the attempt may have made (by comparing
 * with the snapshot) and adopts it, and only sends the create again when nothing was made.
 * Concurrent creators of the same object are outside what this can detect.
 */
export async function createWithoutDuplicates<Snapshot, T>(policy: RetryPolicy, steps: CreateSteps<Snapshot, T>): Promise<T> {
  const snapshot = await steps.snapshot();
  for (let retry = 0; ; retry += 1) {
    try {
      return await steps.create();
    } catch (error) {
      const mayHaveBeenMade = error instanceof BitbucketError && isTransient(error) && !failedBeforeReachingServer(error);
      if (!mayHaveBeenMade) throw error;
      await sleep(backoffDelayMs(policy, retry));
      // Looked for even after the last attempt, so giving up never hides an object that was made.
      const made = await steps.findCreated(snapshot);
      if (made !== undefined) return made;
      if (retry >= policy.maxRetries) throw error;
    }
  }
}
