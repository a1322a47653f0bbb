import { LiftgateClient } from '../clients/liftgate';
import { parseFlags, UsageError, type Command } from './command';

const usage = `Usage: liftgate runs <logs|confirm|discard|cancel> STACK RUN [options]

Works with one run of a stack (SPEC §7.7):
  logs      prints the run's log; with --follow, keeps printing until the run ends
  confirm   applies an UNCONFIRMED run's saved plan (the next free worker does it)
  discard   drops an UNCONFIRMED run's plan; the run ends DISCARDED
  cancel    cancels a run that has not ended (a running terraform is interrupted: SIGINT, then SIGKILL)

Options:
  --endpoint URL   control plane URL (default: LIFTGATE_ENDPOINT)
  --api-key KEY    control-plane API key (default: LIFTGATE_API_KEY); read on the stack's space for logs, write for
                   the others
  --follow         (logs) poll for more until the run has ended
  -h, --help       show this help

Exit status: 0 done (for logs --follow: the run FINISHED), 1 an error (the API's message is printed), 2 (logs
--follow) the run ended otherwise than FINISHED.`;

const ACTIONS = ['logs', 'confirm', 'discard', 'cancel'] as const;
type RunsAction = (typeof ACTIONS)[number];

interface RunsConfig {
  action: RunsAction;
  stackId: string;
  runId: string;
  follow: boolean;
  client: LiftgateClient;
}

function parseRunsFlags(args: string[], env: NodeJS.ProcessEnv): RunsConfig {
  const { values, positionals } = parseFlags(args, { endpoint: { type: 'string' }, 'api-key': { type: 'string' }, follow: { type: 'boolean' } }, { allowPositionals: true });
  const [action, stackId, runId, ...extra] = positionals;
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`say what to do: liftgate runs <${ACTIONS.join('|')}> STACK RUN`);
  if (stackId === undefined || runId === undefined || extra.length > 0) throw new UsageError(`liftgate runs ${action} takes a stack id and a run id`);
  if (values.follow === true && action !== 'logs') throw new UsageError('--follow goes with liftgate runs logs');
  const endpoint = values.endpoint ?? env.LIFTGATE_ENDPOINT;
  if (endpoint === undefined || endpoint.trim() === '') throw new UsageError('the control plane is not set: pass --endpoint URL or set LIFTGATE_ENDPOINT');
  const apiKey = values['api-key'] ?? env.LIFTGATE_API_KEY;
  if (apiKey === undefined || apiKey.trim() === '') throw new UsageError('no API key: pass --api-key KEY or set LIFTGATE_API_KEY');
  return { action: action as RunsAction, stackId, runId, follow: values.follow === true, client: new LiftgateClient({ endpoint, apiKey, userAgent: 'liftgate-cli' }) };
}

/** Prints the log from the start; with `follow`, polls until the run has ended. Exit 0 when it FINISHED (or not following). */
async function printLog(config: RunsConfig): Promise<number> {
  let offset = 0;
  for (;;) {
    const chunk = await config.client.stacks.runLog(config.stackId, config.runId, offset);
    process.stdout.write(chunk.text);
    offset = chunk.nextOffset;
    if (!config.follow) return 0;
    if (chunk.complete) {
      const run = await config.client.stacks.run(config.stackId, config.runId);
      process.stderr.write(`liftgate: run ${run.id} ${run.state}${run.failure ? `: ${run.failure}` : ''}\n`);
      return run.state === 'FINISHED' ? 0 : 2;
    }
    if (chunk.text === '') await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export const runsCommand: Command = {
  name: 'runs',
  summary: "a run's log (--follow), or confirm, discard or cancel it",
  usage,
  async run(args) {
    const config = parseRunsFlags(args, process.env);
    if (config.action === 'logs') return printLog(config);
    const run = await config.client.stacks.runAction(config.stackId, config.runId, config.action);
    process.stdout.write(`run ${run.id} is ${run.state}${run.cancelRequested ? ' (terraform is being interrupted)' : ''}\n`);
    return 0;
  },
};
