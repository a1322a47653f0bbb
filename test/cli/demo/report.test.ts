import { DemoCheckFailed, StepReporter } from '../../../src/cli/demo/report';

function captured() {
  const chunks: string[] = [];
  return { out: { write: (text: string) => chunks.push(text), isTTY: false }, text: () => chunks.join('') };
}

describe('StepReporter', () => {
  it('prints one numbered line per step with what the step says happened', async () => {
    const { out, text } = captured();
    const report = new StepReporter(out, 3);
    await report.step('Starting', async () => 'started the thing');
    await report.step('Checking', async (progress) => {
      progress('half way');
      return 'checked the thing';
    });
    expect(text()).toBe('✓ [1/3] started the thing\n✓ [2/3] checked the thing\n');
  });

  it('prints the failure with its reason and details, and rethrows it', async () => {
    const { out, text } = captured();
    const report = new StepReporter(out, 2);
    const failure = new DemoCheckFailed('the webhook points elsewhere', ['full output: /tmp/x.log']);
    await expect(report.step('Deploying', async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(text()).toBe('✗ [1/2] Deploying failed: the webhook points elsewhere\n    full output: /tmp/x.log\n');
  });

  it('numbers the last step as the last even when a failure skipped steps before it', async () => {
    const { out, text } = captured();
    const report = new StepReporter(out, 5);
    await report.step('Stopping', async () => 'stopped', { last: true });
    expect(text()).toBe('✓ [5/5] stopped\n');
  });
});
