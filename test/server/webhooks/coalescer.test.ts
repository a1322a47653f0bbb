import { Coalescer } from '../../../src/server/webhooks/coalescer';
import { latch } from '../../helpers/latch';

describe('Coalescer', () => {
  it('batches the calls made in the same turn, and those made while a batch runs', async () => {
    const batches: number[][] = [];
    const firstStarted = latch();
    const releaseFirst = latch();
    const coalescer = new Coalescer<number, number>(async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) {
        firstStarted.open();
        await releaseFirst.opened;
      }
      return inputs.map((input) => input * 2);
    });
    const first = [1, 2].map((input) => coalescer.submit(input));
    await firstStarted.opened;
    const later = [3, 4, 5].map((input) => coalescer.submit(input));
    releaseFirst.open();
    expect(await Promise.all([...first, ...later])).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('caps the batch size', async () => {
    const sizes: number[] = [];
    const coalescer = new Coalescer<number, number>(async (inputs) => {
      sizes.push(inputs.length);
      return inputs;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((input) => coalescer.submit(input)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('fails only the input that fails alone when a batch fails', async () => {
    const batches: number[][] = [];
    const coalescer = new Coalescer<number, number>(async (inputs) => {
      batches.push(inputs);
      if (inputs.includes(3)) throw new Error('three is bad');
      return inputs;
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((input) => coalescer.submit(input)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason.message).toBe('three is bad');
    expect(batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
  });
});
