import { useEffect, useState } from 'preact/hooks';
import type { Page } from './api';
import { useLoad, type Loaded } from './hooks';

/**
 * A list the API pages newest first: the first page loads with the page, "older" ones are appended on request.
 * `reload` starts again from the newest.
 */
export function usePaged<T>(load: (cursor: string | null) => Promise<Page<T>>, deps: readonly unknown[]) {
  const first = useLoad(() => load(null), deps);
  const [older, setOlder] = useState<{ items: T[]; nextCursor: string | null; error?: Error } | null>(null);
  const [busy, setBusy] = useState(false);
  // Other deps are another list: the older pages of the previous one go.
  useEffect(() => setOlder(null), deps);
  const items = first.data === undefined ? undefined : [...first.data.items, ...(older?.items ?? [])];
  const nextCursor = older === null ? (first.data?.nextCursor ?? null) : older.nextCursor;

  const loadOlder = async () => {
    if (nextCursor === null) return;
    setBusy(true);
    try {
      const page = await load(nextCursor);
      setOlder({ items: [...(older?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } catch (error) {
      setOlder({ items: older?.items ?? [], nextCursor, error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      setBusy(false);
    }
  };

  const loaded: Loaded<T[]> = {
    data: items,
    error: first.error,
    loading: first.loading,
    reload: () => {
      setOlder(null);
      first.reload();
    },
  };
  return { loaded, hasOlder: nextCursor !== null, olderLoaded: older !== null, loadOlder, busy, olderError: older?.error };
}
