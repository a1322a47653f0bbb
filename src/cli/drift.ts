import { LiftgateClient, LiftgateApiError } from '../clients/liftgate';
import { checkDrift, type DeliveryLogReader, type DriftReport } from './drift/check';
import { formatReportJson, formatReportTable } from './drift/report';
import { BitbucketTokens } from './drift/tokens';
import { parseDuration, parseFlags, UsageError, type Command } from './command';
import { ApiConnectionError, ApiUnauthorizedError } from '../clients/errors';

const usage = `Usage: liftgate drift [options]

Checks every stack the control plane knows against Bitbucket Data Center: for each stack's repository, the
webhook of the stack's integration must exist (on the repository or its project), deliver to the integration's
webhook URL, be active, carry the integration's webhook secret and subscribe to the eight events Liftgate
handles. The integration's delivery log is searched for deliveries refused for their signature.

Options:
  --endpoint URL              control plane URL (default: LIFTGATE_ENDPOINT)
  --api-key KEY               control-plane API key (default: LIFTGATE_API_KEY); it needs admin on the spaces
                              of the integrations to read their webhook secrets
  --bitbucket-token TOKEN     Bitbucket HTTP access token for every host (default: BITBUCKET_TOKEN); it needs
                              REPO_ADMIN (or PROJECT_ADMIN) on the repositories, as reading webhooks does
  --bitbucket-token URL=TOKEN token for one Bitbucket host (an integration's apiHost); may be repeated
  --concurrency N             Bitbucket requests in flight per host at most (default 8; fewer while Bitbucket
                              answers 429, whose Retry-After is honoured)
  --since DURATION            how far back to look for signature failures: 30m, 24h, 7d (default 24h)
  --json                      print the report as JSON
  -h, --help                  show this help

Stacks of integrations on private:// hosts (reached through a VCS agent pool) and detached stacks are
listed as skipped, not as drift.

Exit status: 0 no drift, 2 drift found, 1 error (a check could not be completed, or bad options).`;

export interface DriftConfig {
  endpoint: string;
  apiKey: string;
  tokens: BitbucketTokens;
  concurrency: number;
  sinceMs: number;
  json: boolean;
}

export function parseDriftFlags(args: string[], env: NodeJS.ProcessEnv): DriftConfig {
  const { values } = parseFlags(args, {
    endpoint: { type: 'string' },
    'api-key': { type: 'string' },
    'bitbucket-token': { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    since: { type: 'string' },
    json: { type: 'boolean' },
  });
  const endpoint = values.endpoint ?? env.LIFTGATE_ENDPOINT;
  if (endpoint === undefined || endpoint.trim() === '') throw new UsageError('the control plane is not set: pass --endpoint URL or set LIFTGATE_ENDPOINT');
  const apiKey = values['api-key'] ?? env.LIFTGATE_API_KEY;
  if (apiKey === undefined || apiKey.trim() === '') throw new UsageError('no API key: pass --api-key KEY or set LIFTGATE_API_KEY');
  let tokens: BitbucketTokens;
  try {
    tokens = BitbucketTokens.parse(values['bitbucket-token'] ?? [], env.BITBUCKET_TOKEN);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const concurrency = Number(values.concurrency ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}"`);
  }
  return {
    endpoint,
    apiKey,
    tokens,
    concurrency,
    sinceMs: parseDuration(values.since ?? '24h', '--since'),
    json: values.json === true,
  };
}

/** Bounds the log read: 50,000 deliveries is more than a day of pushes for thousands of repositories. */
const DELIVERY_LOG_PAGING = { pageSize: 1000, maxPages: 50 };

/** Reads the delivery log one page at a time through the control-plane client. */
function deliveryLogOf(liftgate: LiftgateClient): DeliveryLogReader {
  return (integrationId) => liftgate.integrations.deliveries(integrationId, DELIVERY_LOG_PAGING).pages();
}

/** Runs drift with a parsed configuration; resolves to the report. Control-plane failures become one-line errors. */
export async function runDrift(config: DriftConfig): Promise<DriftReport> {
  let liftgate: LiftgateClient;
  try {
    // Few retries: a person or a CI job is waiting, and a control plane that is down stays down for seconds.
    liftgate = new LiftgateClient({ endpoint: config.endpoint, apiKey: config.apiKey, retry: { maxRetries: 2 }, userAgent: 'liftgate-drift' });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    return await checkDrift({
      liftgate,
      readDeliveries: deliveryLogOf(liftgate),
      tokens: config.tokens,
      concurrency: config.concurrency,
      since: new Date(Date.now() - config.sinceMs),
    });
  } catch (error) {
    throw explain(error, config.endpoint);
  } finally {
    liftgate.close();
  }
}

/** The control plane's failures in the words of someone running drift. */
function explain(error: unknown, endpoint: string): unknown {
  if (error instanceof ApiConnectionError) {
    return new Error(`cannot reach the control plane at ${endpoint}: ${error.networkCode ?? 'no answer'}`);
  }
  if (error instanceof ApiUnauthorizedError) {
    return new Error(`the control plane at ${endpoint} refused the API key (401): check --api-key or LIFTGATE_API_KEY`);
  }
  if (error instanceof LiftgateApiError) return new Error(`the control plane at ${endpoint} failed: ${error.message}`);
  return error;
}

const EXIT_CODES = { clean: 0, drift: 2, error: 1 } as const;

export const driftCommand: Command = {
  name: 'drift',
  summary: 'check every stack\'s Bitbucket webhook against the control plane (exit 0 clean, 2 drift, 1 error)',
  usage,
  async run(args) {
    const config = parseDriftFlags(args, process.env);
    const report = await runDrift(config);
    process.stdout.write(config.json ? formatReportJson(report) : formatReportTable(report));
    return EXIT_CODES[report.status];
  },
};
