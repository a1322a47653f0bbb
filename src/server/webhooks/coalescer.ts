/**
 * Group commit for the webhook receiver: calls made in the same turn of the event loop, or while a batch is
 * running, are collected and run as the next batch, in one statement. An idle receiver runs a call on the next
 * turn; a busy one pays one round trip and one commit per batch instead of per delivery, which is what makes
 * the embedded store keep up with Bitbucket's bursts.
 */
export class Coalescer<I, O> {
  private queue: Array<{ input: I; resolve: (output: O) => void; reject: (error: unknown) => void }> = [];
  private running = false;

  /**
   * @param runBatch answers every input, in order; when it throws for a batch of several, each input is run
   *   alone, so one bad input (or a deadlock with another replica) fails only its own call.
   */
  constructor(
    private readonly runBatch: (inputs: I[]) => Promise<O[]>,
    private readonly maxBatchSize = 128,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Wait for the I/O phase to end before taking a batch: the requests whose bytes arrived in the same poll join
    // it. This matters for PGlite, whose queries run synchronously in this thread, so no request can arrive while
    // one runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchSize);
      try {
        const outputs = await this.runBatch(batch.map((call) => call.input));
        batch.forEach((call, index) => call.resolve(outputs[index] as O));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        for (const call of batch) {
          try {
            const [output] = await this.runBatch([call.input]);
            call.resolve(output as O);
          } catch (alone) {
            call.reject(alone);
          }
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.running = false;
  }
}
