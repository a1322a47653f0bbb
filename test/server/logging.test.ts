import { Writable } from 'node:stream';
import { createLogger } from '../../src/server/logging';

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
