import { createLogger, formatHclogLine, logThresholdFromEnv } from '../../../src/plugin/logging';

const fixedNow = () => new Date('2026-11-26T12:34:56.789Z');

function capture(env: NodeJS.ProcessEnv, name = 'provider.test') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(name, { env, now: fixedNow, sink: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes hclog JSON with the reserved keys go-plugin parses and the fields as key/value pairs', () => {
    const { logger, lines } = capture({ TF_LOG: 'TRACE' });
    logger.info('configured', { endpoint: 'https://example.test', attempt: 2, cause: new Error('boom') });
    expect(lines).toEqual([
      {
        '@level': 'info',
        '@message': 'configured',
        '@module': 'provider.test',
        '@timestamp': '2026-11-26T12:34:56.789000Z',
        endpoint: 'https://example.test',
        attempt: 2,
        cause: 'boom',
      },
    ]);
  });

  it('cannot let a field overwrite @level or @message (go-plugin type-asserts them as strings)', () => {
    const { logger, lines } = capture({ TF_LOG: 'DEBUG' });
    logger.debug('hello', { '@level': 42, '@message': { nested: true } });
    expect(lines[0]).toMatchObject({ '@level': 'debug', '@message': 'hello', '_@level': 42, '_@message': { nested: true } });
  });

  it('still logs the message when a field cannot be serialised', () => {
    const { logger, lines } = capture({ TF_LOG: 'DEBUG' });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    logger.warn('odd', { circular });
    expect(lines[0]).toMatchObject({ '@level': 'warn', '@message': 'odd', log_error: expect.stringContaining('not serialisable') });
  });

  it('names sub-loggers like hclog Named()', () => {
    const { logger, lines } = capture({ TF_LOG: 'DEBUG' });
    logger.named('transport').error('x');
    expect(lines[0]['@module']).toBe('provider.test.transport');
  });

  it('writes nothing and reports levels disabled when logging is off', () => {
    const { logger, lines } = capture({});
    logger.error('never');
    expect(lines).toEqual([]);
    expect(logger.enabled('error')).toBe(false);
  });
});

describe('logThresholdFromEnv', () => {
  const level = (env: NodeJS.ProcessEnv) => {
    const { logger } = capture(env);
    return (['trace', 'debug', 'info', 'warn', 'error'] as const).find((candidate) => logger.enabled(candidate)) ?? 'off';
  };

  it.each([
    [{}, 'off'],
    [{ TF_LOG: '' }, 'off'],
    [{ TF_LOG: 'OFF' }, 'off'],
    [{ TF_LOG: 'debug' }, 'debug'],
    [{ TF_LOG: 'WARN' }, 'warn'],
    [{ TF_LOG: 'JSON' }, 'trace'],
    [{ TF_LOG: 'yes please' }, 'trace'],
    [{ TF_LOG: 'TRACE', TF_LOG_PROVIDER: 'ERROR' }, 'error'],
    [{ TF_LOG_PROVIDER: 'info' }, 'info'],
    [{ TF_LOG: 'info', TF_LOG_PROVIDER: 'off' }, 'off'],
  ])('reads %p as %s, the way Terraform filters provider logs', (env, expected) => {
    expect(level(env)).toBe(expected);
  });

  it('is infinite (nothing passes) when off', () => {
    expect(logThresholdFromEnv({})).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('formatHclogLine', () => {
  it('writes timestamps with microseconds in UTC as hclog does', () => {
    expect(JSON.parse(formatHclogLine('info', 'm', 'x', undefined, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))))['@timestamp']).toBe(
      '2026-01-02T03:04:05.006000Z',
    );
  });
});
