import { readFileSync } from 'node:fs';
import { startAgent } from '../agent/agent';
import { describeAllowlist } from '../domain/vcs-agent-allowlist';
import { UsageError, parseFlags, type Command } from './command';

const usage = `Usage: liftgate vcs-agent --endpoint URL --token TOKEN --target https://bitbucket.internal [options]

Runs inside a private network and dials out to the Liftgate control plane (a WebSocket over HTTPS; it opens no
port), carrying the Bitbucket requests of integrations whose apiHost is private://<pool>.

Options:
  --endpoint URL            the control plane's URL, e.g. https://liftgate.example.com
  --token TOKEN             the pool token (POST /api/v1/vcs-agent-pools shows it once); or LIFTGATE_VCS_AGENT_TOKEN
  --target URL              Bitbucket's base URL as this network reaches it
  --parallelism N           WebSocket connections kept open (default 4)
  --ca-cert FILE            PEM of a private CA Bitbucket's certificate chains to
  --allowed-projects REGEX  forward only requests whose PROJECT/repo matches (anchor it: ^PLAT/)
  -h, --help                show this help

It keeps no Bitbucket credentials: each request carries the integration's, and they are never logged or written.
Logs are JSON lines on stdout. Stops cleanly on SIGTERM or SIGINT; exits 1 when the token is refused.

Forwarded requests (below /rest/api/latest or /rest/api/1.0; anything else is refused and logged):
${describeAllowlist()
  .map((line) => `  ${line}`)
  .join('\n')}`;

const flags = {
  endpoint: { type: 'string' },
  token: { type: 'string' },
  target: { type: 'string' },
  parallelism: { type: 'string' },
  'ca-cert': { type: 'string' },
  'allowed-projects': { type: 'string' },
} as const;

function httpUrl(value: string | undefined, flag: string): URL {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${flag} must be an http(s) URL, got "${value}"`);
  if (url.username !== '' || url.password !== '') throw new UsageError(`${flag} must not contain credentials`);
  if (url.search !== '' || url.hash !== '') throw new UsageError(`${flag} must not have a query or fragment`);
  return url;
}

function allowedProjects(value: string | undefined): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch (error) {
    throw new UsageError(`--allowed-projects is not a regular expression: ${(error as Error).message}`);
  }
}

function caCert(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--ca-cert ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-cert ${file} holds no PEM certificate`);
  return pem;
}

/** One JSON line per event on stdout, without credentials (none are ever passed to it). */
function log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
}

export const vcsAgentCommand: Command = {
  name: 'vcs-agent',
  summary: 'carry the control plane\'s calls to a Bitbucket it cannot reach (private://<pool> API hosts)',
  usage,
  async run(args) {
    const { values } = parseFlags(args, flags);
    const endpoint = httpUrl(values.endpoint, '--endpoint');
    const target = httpUrl(values.target, '--target');
    const token = values.token ?? process.env.LIFTGATE_VCS_AGENT_TOKEN;
    if (token === undefined || token.trim() === '' || /\s/.test(token)) throw new UsageError('--token is required: the pool token, without spaces');
    const parallelism = Number(values.parallelism ?? '4');
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 64) {
      throw new UsageError(`--parallelism must be a whole number from 1 to 64, got "${values.parallelism}"`);
    }
    const agent = startAgent({ endpoint, token, target, parallelism, ca: caCert(values['ca-cert']), allowedProjects: allowedProjects(values['allowed-projects']), log });
    log('info', 'started', { endpoint: endpoint.origin, target: target.origin, parallelism });
    const stop = () => agent.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      await agent.finished;
      return 0;
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
  },
};
