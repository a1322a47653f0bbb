/**
 * The API key of this browser tab. It lives in sessionStorage: it survives reloads and in-tab navigation (a run
 * link followed from Bitbucket and back) but not the tab, and no other tab or window sees it. Sign-out forgets it.
 */
const STORAGE_KEY = 'liftgate.apiKey';

export function storedApiKey(): string | null {
  return window.sessionStorage.getItem(STORAGE_KEY);
}

export function storeApiKey(key: string): void {
  window.sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetApiKey(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
