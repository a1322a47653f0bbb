import { BitbucketClient, webhookRequestBody } from '../../../src/clients/bitbucket';

describe('BitbucketClient options', () => {
  const baseUrl = 'http://127.0.0.1:1';

  it('needs exactly one kind of credentials', () => {
    expect(() => new BitbucketClient({ baseUrl })).toThrow('credentials missing');
    expect(() => new BitbucketClient({ baseUrl, token: 't', username: 'u', password: 'p' })).toThrow('not both');
    expect(() => new BitbucketClient({ baseUrl, username: 'u' })).toThrow('needs both username and password');
    expect(() => new BitbucketClient({ baseUrl, token: 't' })).not.toThrow();
    expect(() => new BitbucketClient({ baseUrl, username: 'u', password: 'p' })).not.toThrow();
  });

  it('refuses a base URL with credentials, a query or a non-http scheme, without echoing the credentials', () => {
    expect(() => new BitbucketClient({ baseUrl: 'http://u:hunter2@bitbucket.test', token: 't' })).toThrow(
      'baseUrl must not contain credentials',
    );
    try {
      new BitbucketClient({ baseUrl: 'http://u:hunter2@bitbucket.test', token: 't' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
    expect(() => new BitbucketClient({ baseUrl: 'ftp://bitbucket.test', token: 't' })).toThrow('http or https');
    expect(() => new BitbucketClient({ baseUrl: 'bitbucket.test', token: 't' })).toThrow('absolute http(s) URL');
    expect(() => new BitbucketClient({ baseUrl: 'http://bitbucket.test/?a=1', token: 't' })).toThrow('query');
  });

  it('keeps a context path and drops trailing slashes', () => {
    expect(new BitbucketClient({ baseUrl: 'https://host.test/bitbucket//', token: 't' }).baseUrl).toBe('https://host.test/bitbucket');
  });

  it('rejects a non-positive concurrency or timeout by name', () => {
    expect(() => new BitbucketClient({ baseUrl, token: 't', concurrency: 0 })).toThrow('concurrency must be a positive integer');
    expect(() => new BitbucketClient({ baseUrl, token: 't', timeoutMs: -5 })).toThrow('timeoutMs must be a positive integer');
  });
});

describe('webhookRequestBody', () => {
  it('defaults active to true and leaves out what was not given', () => {
    expect(webhookRequestBody({ name: 'ci', url: 'https://ci.test/hook', events: ['repo:refs_changed'] })).toEqual({
      name: 'ci',
      url: 'https://ci.test/hook',
      events: ['repo:refs_changed'],
      active: true,
    });
  });

  it('omits an empty secret, which Bitbucket answers with a 500', () => {
    const body = webhookRequestBody({ name: 'ci', url: 'https://ci.test', events: ['pr:opened'], configuration: { secret: '' } });
    expect(body).not.toHaveProperty('configuration');
  });

  it('sends the secret, credentials and SSL flag when given', () => {
    expect(
      webhookRequestBody({
        name: 'ci',
        url: 'https://ci.test',
        events: ['pr:opened'],
        active: false,
        configuration: { secret: 's3cret' },
        credentials: { username: 'u', password: 'p' },
        sslVerificationRequired: false,
      }),
    ).toEqual({
      name: 'ci',
      url: 'https://ci.test',
      events: ['pr:opened'],
      active: false,
      configuration: { secret: 's3cret' },
      credentials: { username: 'u', password: 'p' },
      sslVerificationRequired: false,
    });
  });
});
