import { PassThrough, type Readable } from 'node:stream';

/**
 * Archives of module versions, kept in memory once streamed: a version is a commit, whose content never changes,
 * so `terraform init` after the first one is answered without asking Bitbucket. Bounded in total size, oldest
 * out first; an archive larger than `maxEntryBytes` is streamed through and not kept.
 */
export class ArchiveCache {
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxEntryBytes: number,
  ) {}

  get(key: string): Buffer | undefined {
    const found = this.#entries.get(key);
    if (found !== undefined) {
      // Most recently used last, so the oldest leaves first.
      this.#entries.delete(key);
      this.#entries.set(key, found);
    }
    return found;
  }

  /**
   * `source` passed through unchanged, and kept under `key` once it ended whole (an error or an oversized archive
   * keeps nothing).
   */
  keepWhileStreaming(key: string, source: Readable): Readable {
    const chunks: Buffer[] = [];
    let size = 0;
    const through = new PassThrough();
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= this.maxEntryBytes) chunks.push(chunk);
    });
    source.once('end', () => {
      if (size <= this.maxEntryBytes) this.#put(key, Buffer.concat(chunks, size));
    });
    source.once('error', (error) => through.destroy(error));
    through.once('close', () => source.destroy());
    source.pipe(through);
    return through;
  }

  #put(key: string, archive: Buffer): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#bytes -= previous.length;
      this.#entries.delete(key);
    }
    this.#entries.set(key, archive);
    this.#bytes += archive.length;
    for (const [oldest, kept] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= kept.length;
    }
  }
}
