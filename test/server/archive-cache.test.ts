import { PassThrough, Readable } from 'node:stream';
import { ArchiveCache } from '../../src/server/routes/archive-cache';

/** What a stream yields until it ends, or the error it fails with. */
async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function streamOf(...chunks: string[]): Readable {
  return Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
}

describe('ArchiveCache: archives of module versions kept in memory', () => {
  it('passes an archive through unchanged and answers the next get with it', async () => {
    const cache = new ArchiveCache(100, 50);
    expect(cache.get('a')).toBeUndefined();
    expect((await drain(cache.keepWhileStreaming('a', streamOf('abc', 'def')))).toString()).toBe('abcdef');
    expect(cache.get('a')?.toString()).toBe('abcdef');
  });

  it('streams an archive over the entry limit through without keeping it', async () => {
    const cache = new ArchiveCache(100, 5);
    expect((await drain(cache.keepWhileStreaming('big', streamOf('abc', 'def')))).toString()).toBe('abcdef');
    expect(cache.get('big')).toBeUndefined();
  });

  it('stays within its total size: the least recently used archive leaves first', async () => {
    const cache = new ArchiveCache(10, 10);
    await drain(cache.keepWhileStreaming('a', streamOf('aaaa')));
    await drain(cache.keepWhileStreaming('b', streamOf('bbbb')));
    expect(cache.get('a')?.toString()).toBe('aaaa');
    await drain(cache.keepWhileStreaming('c', streamOf('cccc')));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.toString()).toBe('aaaa');
    expect(cache.get('c')?.toString()).toBe('cccc');
  });

  it('keeps nothing of an archive whose source fails, and hands the failure on', async () => {
    const cache = new ArchiveCache(100, 50);
    const source = new PassThrough();
    const through = cache.keepWhileStreaming('a', source);
    source.write('abc');
    source.destroy(new Error('Bitbucket went away'));
    await expect(drain(through)).rejects.toThrow('Bitbucket went away');
    expect(cache.get('a')).toBeUndefined();
  });
});
