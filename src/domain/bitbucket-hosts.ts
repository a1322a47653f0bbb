import { BlockList, isIP } from 'node:net';
import { isLoopbackHost, normaliseHost } from './api-hosts';

/**
 * Which Bitbucket hosts the control plane may call with an integration's credentials (`liftgate serve
 * --allowed-bitbucket-hosts`). Without a limit a space admin could make the control plane call any address it can
 * reach — its own loopback ports, a cloud metadata endpoint — and read the answers off the error messages.
 *
 * A list is comma-separated entries:
 * - `*`: any https host whose name is not, and does not resolve to, a loopback, link-local or unspecified address
 *   (the default; private networks such as 10.0.0.0/8 stay allowed, where Bitbucket Data Center usually lives);
 * - `loopback`: also hosts on this machine (127.0.0.0/8, ::1, localhost), over http or https — for the emulator;
 * - `bitbucket.example.com` or `10.1.2.3` (optionally `:port`): exactly that host, whatever it resolves to;
 * - `*.example.com` (optionally `:port`): any host under that domain, on public or private addresses only.
 */
export interface BitbucketHostPolicy {
  readonly entries: readonly HostEntry[];
}

export type HostEntry =
  | { kind: 'any' }
  | { kind: 'loopback' }
  | { kind: 'host'; host: string; port: number | null }
  | { kind: 'domain'; suffix: string; port: number | null };

/** The flag's default: any https host, loopback only when asked. */
export const DEFAULT_BITBUCKET_HOSTS = '*';

/** Addresses `*` and domain entries never reach: loopback, link-local (cloud metadata services) and unspecified. */
const SPECIAL_ADDRESSES = (() => {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addSubnet('169.254.0.0', 16, 'ipv4');
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  list.addAddress('::', 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  return list;
})();

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Parses the flag's value; throws a RangeError naming the entry that is not one of the forms above. */
export function parseBitbucketHostPolicy(value: string): BitbucketHostPolicy {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseEntry);
  if (entries.length === 0) throw new RangeError('the list of allowed Bitbucket hosts is empty');
  return { entries };
}

function parseEntry(entry: string): HostEntry {
  const lower = entry.toLowerCase();
  if (lower === '*') return { kind: 'any' };
  if (lower === 'loopback') return { kind: 'loopback' };
  const invalid = () =>
    new RangeError(`"${entry}" is not an allowed-host entry: use *, loopback, a host name or IP address, or *.domain, each optionally with :port`);
  const match = /^(\*\.)?(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(lower);
  if (match === null) throw invalid();
  const port = match[3] === undefined ? null : Number(match[3]);
  if (port !== null && (port < 1 || port > 65535)) throw invalid();
  const host = normaliseHost(match[2] as string);
  if (match[1] !== undefined) {
    if (!HOST_NAME.test(host) || isIP(host) !== 0) throw invalid();
    return { kind: 'domain', suffix: host, port };
  }
  if (isIP(host) === 0 && !HOST_NAME.test(host)) throw invalid();
  return { kind: 'host', host, port };
}

function addressFamily(address: string): 'ipv4' | 'ipv6' | null {
  const family = isIP(address);
  return family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : null;
}

/** Whether an IP address is loopback, link-local or unspecified (IPv4-mapped IPv6 addresses included). */
export function isSpecialAddress(address: string): boolean {
  const family = addressFamily(address);
  return family !== null && SPECIAL_ADDRESSES.check(address, family);
}

/**
 * What the policy says about a URL: refused with the reason, or allowed — and then whether the connection may go
 * to a loopback, link-local or unspecified address its name resolves to (only when an entry names the host
 * exactly or allows loopback; `*` and domain entries are checked again against the resolved address).
 */
export type HostVerdict = { allowed: true; specialAddresses: boolean } | { allowed: false; reason: string };

/** Applies the policy to an http(s) URL (private:// hosts are reached through VCS agents and are not subject to it). */
export function checkBitbucketHost(policy: BitbucketHostPolicy, url: URL): HostVerdict {
  const host = normaliseHost(url.hostname);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const loopback = isLoopbackHost(host);
  const literal = addressFamily(host) !== null;
  let verdict: HostVerdict = { allowed: false, reason: notListed(url, loopback) };
  for (const entry of policy.entries) {
    if (entry.kind === 'loopback' && loopback) return { allowed: true, specialAddresses: true };
    if (entry.kind === 'host' && entry.host === host && (entry.port === null || entry.port === port)) {
      return { allowed: true, specialAddresses: true };
    }
    if (url.protocol !== 'https:' || loopback || (literal && isSpecialAddress(host))) continue;
    if (entry.kind === 'any' || (entry.kind === 'domain' && host.endsWith(`.${entry.suffix}`) && (entry.port === null || entry.port === port))) {
      verdict = { allowed: true, specialAddresses: false };
    }
  }
  return verdict;
}

function notListed(url: URL, loopback: boolean): string {
  if (loopback) return `${url.origin} is on this machine (loopback), which is allowed only when --allowed-bitbucket-hosts includes "loopback"`;
  if (url.protocol !== 'https:') return `${url.origin} is not https (plain http is allowed only for loopback hosts)`;
  return `${url.origin} is not among the allowed Bitbucket hosts (--allowed-bitbucket-hosts)`;
}

/** Whether a connection allowed by `verdict` may go to `address`, one of the addresses the host name resolved to. */
export function addressAllowed(verdict: { specialAddresses: boolean }, address: string): boolean {
  return verdict.specialAddresses || !isSpecialAddress(address);
}

/** The policy as the flag would spell it (for logs and --help). */
export function describeBitbucketHostPolicy(policy: BitbucketHostPolicy): string {
  return policy.entries
    .map((entry) => {
      if (entry.kind === 'any') return '*';
      if (entry.kind === 'loopback') return 'loopback';
      const host = entry.kind === 'domain' ? `*.${entry.suffix}` : entry.host.includes(':') ? `[${entry.host}]` : entry.host;
      return entry.port === null ? host : `${host}:${entry.port}`;
    })
    .join(',');
}
