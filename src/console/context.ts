import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api';

/** The API client of the signed-in tab. */
export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi outside a signed-in console');
  return api;
}
