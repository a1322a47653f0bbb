import type { ChangeFeed } from './database';

/** How many reads a cache keeps at most; the least recently used goes first. */
export const READ_CACHE_ENTRIES = 1024;

/**
 * Reads of rows that change rarely and are read on every request (an API key with its access, a module with its
 * versions), kept in memory until the store reports that any of those rows changed (Database.changes). The report
 * arrives before the write that caused it resolves, so the request after a change, on this process, always reads
 * the store again: a deleted key is refused by the very next request. A store without such reports (PostgreSQL,
 * shared with other replicas) keeps nothing, and every read goes to it.
 *
 * A read that was under way when a change came is returned but not kept: it may predate the change. Misses (a load
 * that `keep` refuses, e.g. an unknown key) are not kept either, so requests with made-up keys cannot push the
 * real ones out. Kept values are shared between requests: callers must not change them.
 */
export class ReadCache {
  /** Counts the changes reported: a read that began before the latest one is not kept. */
  #generation = 0;
  /** Whether changes are reported to this cache: without that, nothing may be kept. */
  #watching: boolean;
  /** Least recently used first (a Map keeps insertion order). Emptied by every change. */
  readonly #entries = new Map<string, unknown>();
  readonly #unsubscribe: () => void;
  /** Per kind, the last value built by `shared` and the text it was built from. */
  readonly #shared = new Map<string, { text: string; value: unknown }>();

  constructor(
    changes: ChangeFeed | null,
    private readonly maxEntries = READ_CACHE_ENTRIES,
  ) {
    this.#watching = changes !== null;
    this.#unsubscribe =
      changes?.subscribe(() => {
        this.#generation += 1;
        this.#entries.clear();
      }) ?? (() => undefined);
  }

  /** The kept value of `key`, or what `load` reads (then kept if `keep` says so and nothing changed meanwhile). */
  async get<T>(key: string, load: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    if (!this.#watching) return load();
    if (this.#entries.has(key)) {
      const value = this.#entries.get(key) as T;
      this.#entries.delete(key);
      this.#entries.set(key, value);
      return value;
    }
    const generation = this.#generation;
    const value = await load();
    if (this.#watching && generation === this.#generation && keep(value)) {
      this.#entries.set(key, value);
      for (const oldest of this.#entries.keys()) {
        if (this.#entries.size <= this.maxEntries) break;
        this.#entries.delete(oldest);
      }
    }
    return value;
  }

  /**
   * The value `build` makes of `text`, the same object as last time when `text` is the same as last time for this
   * kind: values kept for many keys share what they have in common (every caller's space tree) instead of holding
   * a copy each. Decided by the text alone, so it can never mix two states of the store.
   */
  shared<T>(kind: string, text: string, build: (text: string) => T): T {
    const last = this.#shared.get(kind);
    if (last !== undefined && last.text === text) return last.value as T;
    const value = build(text);
    this.#shared.set(kind, { text, value });
    return value;
  }

  /** How many reads are kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Stops listening to the store's changes; nothing is kept from then on. */
  close(): void {
    this.#watching = false;
    this.#unsubscribe();
    this.#entries.clear();
    this.#shared.clear();
  }
}
