import { isIP } from 'node:net';
import { UnprocessableError } from './errors';

export interface BitbucketCredentials {
  apiHost: string;
  username: string;
  accessToken: string;
}

/** Checks credentials against Bitbucket; throws an UnprocessableError saying what failed. */
export type CredentialVerifier = (credentials: BitbucketCredentials) => Promise<void>;

export type ApiHostKind = 'https' | 'http-loopback' | 'private';

/**
 * Classifies an integration's apiHost, or throws a 422 naming the field. SPEC §1 allows https://… and
 * private://<vcs-agent-pool>; plain http:// is also accepted for loopback hosts (127.0.0.0/8, ::1, localhost)
 * so a Bitbucket emulator on this machine can be used for trying things out and for tests, while traffic that
 * leaves the machine is always TLS.
 */
export function classifyApiHost(apiHost: string, field = 'apiHost'): ApiHostKind {
  const invalid = (why: string) => new UnprocessableError(`${field} ${why}`, { field });
  let url: URL;
  try {
    url = new URL(apiHost);
  } catch {
    throw invalid(`must be a URL (https://… or private://<vcs-agent-pool>), got "${apiHost}"`);
  }
  if (url.protocol === 'private:') {
    if (!/^private:\/\/[A-Za-z0-9][A-Za-z0-9._-]*\/?$/.test(apiHost)) {
      throw invalid(`must name a VCS agent pool as private://<pool>, got "${apiHost}"`);
    }
    return 'private';
  }
  if (url.username !== '' || url.password !== '') throw invalid('must not contain credentials');
  if (url.search !== '' || url.hash !== '') throw invalid('must not have a query or fragment');
  if (url.protocol === 'https:') return 'https';
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return 'http-loopback';
  throw invalid(`must use https:// (http:// only for loopback hosts) or private://, got "${apiHost}"`);
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Validates a userFacingHost (an http(s) URL shown to people), or throws a 422 naming the field. */
export function checkUserFacingHost(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new UnprocessableError(`userFacingHost must be an http(s) URL, got "${value}"`, { field: 'userFacingHost' });
  }
}

/** The userFacingHost to show: the configured one, else apiHost when that is a direct (non-private) URL. */
export function effectiveUserFacingHost(configured: string | null, apiHost: string): string | null {
  if (configured !== null) return configured;
  return apiHost.startsWith('private:') ? null : apiHost;
}
