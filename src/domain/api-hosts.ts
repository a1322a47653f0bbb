/**
 * What an integration's apiHost and userFacingHost may be (SPEC §1), and which hosts are this machine. Pure and free of
 * Node modules: the constructs (jsii) and the console (a browser) check the same rules as the control plane. Which
 * hosts the control plane may call at all is the --allowed-bitbucket-hosts policy (bitbucket-hosts.ts).
 */

/** How the control plane reaches an integration's apiHost. */
export type ApiHostKind = 'https' | 'http-loopback' | 'private';

/**
 * What kind of apiHost `value` is, or why it is none (the problem does not repeat the value) (SPEC §1): https://…, private://<vcs-agent-pool>, and plain
 * http:// only on a loopback host (a Bitbucket emulator on this machine), so traffic that leaves the machine is
 * always TLS. Whether the host may be called at all is the policy's question (bitbucket-hosts.ts).
 */
export function classifyApiHost(value: string): { kind: ApiHostKind } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be a URL (https://… or private://<vcs-agent-pool>)' };
  }
  if (url.protocol === 'private:') {
    return /^private:\/\/[A-Za-z0-9][A-Za-z0-9._-]*\/?$/.test(value)
      ? { kind: 'private' }
      : { problem: 'must name a VCS agent pool as private://<pool>' };
  }
  if (url.username !== '' || url.password !== '') return { problem: 'must not contain credentials' };
  if (url.search !== '' || url.hash !== '') return { problem: 'must not have a query or fragment' };
  if (url.protocol === 'https:') return { kind: 'https' };
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { kind: 'http-loopback' };
  return { problem: 'must use https:// (http:// only for loopback hosts) or private://' };
}

/** Why `value` cannot be an integration's apiHost (see classifyApiHost), or null when it can. */
export function apiHostProblem(value: string): string | null {
  const classified = classifyApiHost(value);
  return 'problem' in classified ? classified.problem : null;
}

/** Why `value` cannot be an integration's userFacingHost (a URL shown to people), or null when it can. */
export function userFacingHostProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http(s) URL';
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'must be an http(s) URL';
}

/** Whether an apiHost is reached through a VCS agent pool (private://<pool>) rather than called directly. */
export function isPrivateApiHost(apiHost: string): boolean {
  return /^private:/i.test(apiHost);
}

/** VCS agent pool names: what `private://<pool>` can name. */
export const POOL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Why `value` cannot be a VCS agent pool's name, or null when it can. */
export function poolNameProblem(value: string): string | null {
  return POOL_NAME_PATTERN.test(value) ? null : 'must be 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit';
}

/** The pool an apiHost `private://<pool>` names (a trailing slash allowed), or null. */
export function poolOfApiHost(apiHost: string): string | null {
  const match = /^private:\/\/([A-Za-z0-9][A-Za-z0-9._-]*)\/?$/i.exec(apiHost);
  return match === null ? null : (match[1] as string);
}

/** The userFacingHost an integration shows when none is set: its apiHost, unless that is reached through an agent pool. */
export function defaultUserFacingHost(apiHost: string): string | null {
  return isPrivateApiHost(apiHost) ? null : apiHost;
}

/** A URL's host as the rules compare it: lower case, IPv6 without brackets, no trailing dot. */
export function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/**
 * Whether a URL's host name is this machine: localhost (and names below it), 127.0.0.0/8, ::1, and IPv4-mapped
 * 127.0.0.0/8. Brackets and a trailing dot are allowed; IPv4 in other notations (127.1, 0x7f.1) is loopback too, as
 * the URL parser writes it as 127.0.0.1.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = normaliseHost(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const ipv4 = ipv4Octets(host);
  if (ipv4 !== null) return ipv4[0] === 127;
  const groups = ipv6Groups(host);
  if (groups === null) return false;
  const leadingZeros = groups.slice(0, 5).every((group) => group === 0);
  if (leadingZeros && groups[5] === 0 && groups[6] === 0) return groups[7] === 1;
  return leadingZeros && groups[5] === 0xffff && groups[6] !== undefined && groups[6] >> 8 === 127;
}

function ipv4Octets(text: string): number[] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (match === null) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address (`::` and a trailing dotted IPv4 allowed), or null. */
function ipv6Groups(text: string): number[] | null {
  if (!text.includes(':')) return null;
  let address = text;
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (dotted !== null) {
    const octets = ipv4Octets(dotted[2] as string);
    if (octets === null) return null;
    address = `${dotted[1]}${((octets[0] as number) * 256 + (octets[1] as number)).toString(16)}:${((octets[2] as number) * 256 + (octets[3] as number)).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return groups.map((group) => parseInt(group, 16));
}
