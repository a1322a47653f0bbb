/**
 * A run's delta comes from the summary line Terraform prints, and from `terraform show -json` of the saved plan only
 * when that line is not one the worker reads. Both readings must agree: checked here with real terraform on a plan
 * that creates, updates, replaces and destroys.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deltaOfPlanText, planDelta } from '../../src/worker/execute';

describe('deltaOfPlanText: the delta of Terraform’s summary line', () => {
  it.each([
    ['Plan: 1 to add, 0 to change, 0 to destroy.', { add: 1, change: 0, destroy: 0 }],
    ['Plan: 2 to add, 1 to change, 2 to destroy.', { add: 2, change: 1, destroy: 2 }],
    ['Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.', { add: 0, change: 1, destroy: 0 }],
    ['Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.', { add: 0, change: 0, destroy: 0 }],
    ['Plan: 12 to import, 3 to add, 4 to change, 5 to destroy, 6 to forget.', { add: 3, change: 4, destroy: 5 }],
  ])('%s', (line, delta) => {
    expect(deltaOfPlanText(['Terraform will perform the following actions:', '', line, '', 'Saved the plan to: liftgate.tfplan'])).toEqual(delta);
  });

  it.each<[string, string[]]>([
    ['no summary (a plan that changes outputs only)', ['Changes to Outputs:', '  + marker = "a"']],
    ['a summary in a form it does not know', ['Plan: 1 to add, 0 to change, 0 to destroy, 2 to defer.']],
    ['two summaries', ['Plan: 1 to add, 0 to change, 0 to destroy.', 'Plan: 2 to add, 0 to change, 0 to destroy.']],
    ['a summary not at the start of its line', ['  Plan: 1 to add, 0 to change, 0 to destroy.']],
  ])('is null, so show -json is asked, for %s', (_, lines) => {
    expect(deltaOfPlanText(lines)).toBeNull();
  });
});

describe('the summary line and show -json agree (real terraform)', () => {
  let dir = '';
  const env = { PATH: process.env.PATH ?? '', HOME: tmpdir(), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  const terraform = (...args: string[]) => {
    const result = spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8' });
    if (result.status !== 0 && result.status !== 2) throw new Error(`terraform ${args[0]}: ${result.stderr}`);
    return result.stdout;
  };
  const data = (name: string, attribute: 'input' | 'triggers_replace', value: string) => `resource "terraform_data" "${name}" {\n  ${attribute} = "${value}"\n}\n`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'liftgate-plan-delta-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('for a plan that creates one, updates one, replaces one and destroys one', () => {
    writeFileSync(join(dir, 'main.tf'), data('updated', 'input', '1') + data('replaced', 'triggers_replace', '1') + data('destroyed', 'input', '1'));
    terraform('init', '-input=false', '-no-color');
    terraform('apply', '-input=false', '-no-color', '-auto-approve');
    writeFileSync(join(dir, 'main.tf'), data('updated', 'input', '2') + data('replaced', 'triggers_replace', '2') + data('created', 'input', '1'));
    const planText = terraform('plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=liftgate.tfplan').split('\n');
    const summarized = deltaOfPlanText(planText);
    expect(summarized).toEqual({ add: 2, change: 1, destroy: 2 });
    expect(planDelta(terraform('show', '-json', 'liftgate.tfplan'))).toEqual(summarized);
  }, 60_000);
});
