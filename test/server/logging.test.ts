import { Writable } from 'node:stream';
import { createLogger, redactQueryString } from '../../src/server/logging';
import { describeEachEngine } from './harness';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ destination, level: 'trace' }), lines };
}

describe('control-plane logger', () => {
  it('writes JSON lines', () => {
    const { logger, lines } = capture();
    logger.info({ stack: 'infra' }, 'run queued');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 30, msg: 'run queued', stack: 'infra', service: 'liftgate-control-plane' });
  });

  it('redacts authorization headers, signatures, tokens and secrets wherever a log call puts them', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer lgk_SECRET1', 'x-hub-signature': 'sha256=SECRET2', cookie: 'SECRET3' } },
        accessToken: 'SECRET4',
        integration: { webhookSecret: 'SECRET5', token: 'SECRET6' },
        body: { credentials: { password: 'SECRET7' } },
        apiKey: { secret: 'SECRET8' },
      },
      'request',
    );
    const line = lines.join('');
    expect(line).not.toMatch(/SECRET\d/);
    expect(line).toContain('[redacted]');
  });

  it('drops HTTP client request and response objects attached to errors (they carry credentials)', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('request failed'), { config: { headers: { Authorization: 'Bearer SECRET9' } } });
    logger.error({ err: error }, 'bitbucket call failed');
    expect(lines.join('')).not.toContain('SECRET9');
    expect(lines.join('')).toContain('request failed');
  });
});

describe('query strings in logs', () => {
  it('keeps parameter names and drops their values, and drops a bare value that is no name', () => {
    expect(redactQueryString('/api/v1/stacks')).toBe('/api/v1/stacks');
    expect(redactQueryString('/api/v1/stacks?integrationId=x&limit=5')).toBe('/api/v1/stacks?integrationId=[redacted]&limit=[redacted]');
    expect(redactQueryString(`/x?api_key=lgk_${'s'.repeat(43)}`)).toBe('/x?api_key=[redacted]');
    expect(redactQueryString(`/x?lgk_${'s'.repeat(43)}`)).toBe('/x?[redacted]');
  });

  it('drops the parameters and quoted rows of database errors', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('null value in column "value"'), { params: ['SECRET10'], detail: 'Failing row contains (SECRET11).' });
    logger.error({ err: error }, 'request failed');
    expect(lines.join('')).not.toMatch(/SECRET1[01]/);
  });
});

describeEachEngine('control-plane request logs', (server) => {
  it('log request URLs without the values of their query strings', async () => {
    const secret = `lgk_${'Q'.repeat(43)}`;
    await server.request('GET', `/api/v1/stacks?integrationId=${secret}`);
    await server.request('GET', `/api/v1/spaces?${secret}`);
    const logged = server.logLines.join('');
    expect(logged).toContain('/api/v1/stacks?integrationId=[redacted]');
    expect(logged).not.toContain(secret);
  });

  it('give every answer an X-Request-Id of its own that its log lines carry, whatever id the caller sent', async () => {
    const answers = [
      await server.request('GET', '/api/v1/spaces'),
      await server.request('GET', '/api/v1/no-such-route'),
      await server.request('GET', '/api/v1/spaces', { key: null }),
      await server.request('POST', '/webhooks/bitbucket-datacenter/none', { body: {}, headers: { 'x-request-id': 'bitbucket-delivery-1' } }),
    ];
    const ids = answers.map((answer) => answer.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const logged = server.logLines.map((line) => JSON.parse(line) as { requestId?: string; msg: string });
    // The webhook receiver logs warnings only (its deliveries are in the delivery log), so the API calls are checked.
    for (const id of ids.slice(0, 3)) expect(logged.filter((line) => line.requestId === id).map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
  });
});
