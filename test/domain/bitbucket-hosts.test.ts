import { BlockList } from 'node:net';
import { classifyApiHost, isLoopbackHost } from '../../src/domain/api-hosts';
import {
  addressAllowed,
  checkBitbucketHost,
  DEFAULT_BITBUCKET_HOSTS,
  describeBitbucketHostPolicy,
  isSpecialAddress,
  parseBitbucketHostPolicy,
} from '../../src/domain/bitbucket-hosts';

const policy = (value: string) => parseBitbucketHostPolicy(value);
const allowed = (value: string, url: string) => checkBitbucketHost(policy(value), new URL(url)).allowed;

describe('apiHost forms', () => {
  it.each([
    ['https://bitbucket.example.com', 'https'],
    ['https://bitbucket.example.com:8443/context', 'https'],
    ['http://127.0.0.1:7990', 'http-loopback'],
    ['http://localhost:7990', 'http-loopback'],
    ['http://[::1]:7990', 'http-loopback'],
    ['private://eu-agents', 'private'],
  ])('%s is %s', (value, kind) => {
    expect(classifyApiHost(value)).toEqual({ kind });
  });

  it.each([
    ['not a url', 'must be a URL'],
    ['http://bitbucket.example.com', 'must use https://'],
    ['ftp://bitbucket.example.com', 'must use https://'],
    ['https://user:pass@bitbucket.example.com', 'must not contain credentials'],
    ['https://bitbucket.example.com/?x=1', 'must not have a query or fragment'],
    ['private://', 'must name a VCS agent pool'],
  ])('%s is refused: %s', (value, problem) => {
    expect(classifyApiHost(value)).toEqual({ problem: expect.stringContaining(problem) });
  });
});

describe('loopback hosts', () => {
  // Node's own address matching is the reference the domain's Node-free check must agree with.
  const loopback = new BlockList();
  loopback.addSubnet('127.0.0.0', 8, 'ipv4');
  loopback.addAddress('::1', 'ipv6');

  it.each([
    'http://127.0.0.1',
    'http://127.255.0.9',
    'http://127.1',
    'http://0x7f.1',
    'http://2130706433',
    'http://[::1]',
    'http://[0:0:0:0:0:0:0:1]',
    'http://[::ffff:127.0.0.1]',
    'http://[::ffff:7f00:1]',
    'http://128.0.0.1',
    'http://126.255.255.255',
    'http://10.0.0.1',
    'http://[::2]',
    'http://[::ffff:10.0.0.1]',
    'http://[2001:db8::1]',
    'http://[fe80::1]',
  ])('%s is loopback exactly when Node says so', (value) => {
    const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
    const family = host.includes(':') ? 'ipv6' : 'ipv4';
    expect(isLoopbackHost(new URL(value).hostname)).toBe(loopback.check(host, family));
  });

  it('counts localhost and names below it, in any case and with a trailing dot', () => {
    for (const host of ['localhost', 'LOCALHOST.', 'app.localhost', '[::1]']) expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['localhost.example.com', 'mylocalhost', 'example.com', '', '1.2.3']) expect([host, isLoopbackHost(host)]).toEqual([host, false]);
  });
});

describe('the allowed Bitbucket hosts', () => {
  it('by default allows any https host on a public or private network, and nothing on this machine', () => {
    for (const url of ['https://bitbucket.example.com', 'https://10.1.2.3:8443', 'https://192.168.1.5', 'https://[2001:db8::1]']) {
      expect([url, allowed(DEFAULT_BITBUCKET_HOSTS, url)]).toEqual([url, true]);
    }
    for (const url of [
      'http://127.0.0.1:7990',
      'https://127.0.0.1',
      'https://127.1.2.3',
      'https://localhost',
      'https://LOCALHOST.',
      'https://app.localhost',
      'https://[::1]',
      'https://[::ffff:127.0.0.1]',
      'https://2130706433',
      'https://0x7f.1',
      'https://169.254.169.254',
      'https://[fe80::1]',
      'https://0.0.0.0',
      'https://[::]',
    ]) {
      expect([url, allowed(DEFAULT_BITBUCKET_HOSTS, url)]).toEqual([url, false]);
    }
  });

  it('allows loopback, over http too, only when the list says loopback', () => {
    expect(allowed('loopback', 'http://127.0.0.1:7990')).toBe(true);
    expect(allowed('loopback', 'https://localhost:8443')).toBe(true);
    expect(allowed('loopback', 'https://bitbucket.example.com')).toBe(false);
    expect(allowed('*,loopback', 'https://bitbucket.example.com')).toBe(true);
    expect(allowed('loopback', 'https://169.254.169.254')).toBe(false);
  });

  it('allows named hosts and domains exactly, with their port when one is given', () => {
    const list = 'bitbucket.example.com, *.corp.example:8443, 10.0.0.7';
    expect(allowed(list, 'https://bitbucket.example.com')).toBe(true);
    expect(allowed(list, 'https://BitBucket.Example.com:9999')).toBe(true);
    expect(allowed(list, 'https://evil.example.com')).toBe(false);
    expect(allowed(list, 'https://git.corp.example:8443')).toBe(true);
    expect(allowed(list, 'https://git.corp.example')).toBe(false);
    expect(allowed(list, 'https://corp.example:8443')).toBe(false);
    expect(allowed(list, 'https://10.0.0.7')).toBe(true);
    expect(allowed(list, 'https://10.0.0.8')).toBe(false);
    // Naming a loopback host exactly is an operator's explicit choice.
    expect(allowed('127.0.0.1:7990', 'http://127.0.0.1:7990')).toBe(true);
    expect(allowed('127.0.0.1:7990', 'http://127.0.0.1:7991')).toBe(false);
  });

  it('says why a host is refused, naming the flag', () => {
    expect(checkBitbucketHost(policy('*'), new URL('http://127.0.0.1:7990'))).toEqual({
      allowed: false,
      reason: 'http://127.0.0.1:7990 is on this machine (loopback), which is allowed only when --allowed-bitbucket-hosts includes "loopback"',
    });
    expect(checkBitbucketHost(policy('bitbucket.example.com'), new URL('https://other.example.com'))).toEqual({
      allowed: false,
      reason: 'https://other.example.com is not among the allowed Bitbucket hosts (--allowed-bitbucket-hosts)',
    });
  });

  it('checks the addresses a name resolves to unless the host was named exactly or loopback was allowed', () => {
    const byWildcard = checkBitbucketHost(policy('*'), new URL('https://bitbucket.example.com'));
    expect(byWildcard).toEqual({ allowed: true, specialAddresses: false });
    if (!byWildcard.allowed) return;
    expect(addressAllowed(byWildcard, '10.0.0.5')).toBe(true);
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '169.254.169.254', 'fe80::1', '0.0.0.0']) {
      expect([address, addressAllowed(byWildcard, address)]).toEqual([address, false]);
    }
    const exact = checkBitbucketHost(policy('bitbucket.internal'), new URL('https://bitbucket.internal'));
    expect(exact).toEqual({ allowed: true, specialAddresses: true });
    expect(isSpecialAddress('8.8.8.8')).toBe(false);
  });

  it.each(['', ' , ', 'http://x', 'a b', '*.', '*.10.0.0.1', 'x:0', 'x:70000', '::1', 'bad_name'])('refuses the entry list %j', (value) => {
    expect(() => parseBitbucketHostPolicy(value)).toThrow(RangeError);
  });

  it('spells a policy back the way the flag takes it', () => {
    expect(describeBitbucketHostPolicy(policy('*, LOOPBACK, *.Example.com:8443, [::1]:7990, host'))).toBe('*,loopback,*.example.com:8443,[::1]:7990,host');
  });
});
