import { terraformErrors, withoutTerminalEscapes } from '../../../src/cli/demo/toolchain';

describe('terraformErrors', () => {
  it('reads the summary and first explanation line of each error cdktf relays, without the stack prefix and boxes', () => {
    const output = [
      'quickstart  ╷',
      '            │ Error: Conflicting Bitbucket credentials in the environment',
      '            │ ',
      '            │   with provider["registry.terraform.io/liftgate/bitbucketdc"],',
      '            │   on cdk.tf.json line 14, in provider.bitbucketdc[0]:',
      '            │   14:       }',
      '            │ ',
      '            │ Set either BITBUCKET_TOKEN or both BITBUCKET_USERNAME and BITBUCKET_PASSWORD,',
      '            ╵',
      'Error: Conflicting Bitbucket credentials in the environment',
      '',
      'Set either BITBUCKET_TOKEN or both BITBUCKET_USERNAME and BITBUCKET_PASSWORD,',
    ].join('\n');
    expect(terraformErrors(output)).toEqual([
      'Conflicting Bitbucket credentials in the environment: Set either BITBUCKET_TOKEN or both BITBUCKET_USERNAME and BITBUCKET_PASSWORD,',
    ]);
  });

  it('finds nothing in output without errors', () => {
    expect(terraformErrors('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.')).toEqual([]);
  });
});

describe('withoutTerminalEscapes', () => {
  it('drops colours and the cursor movements cdktf prints even with --no-color', () => {
    expect(withoutTerminalEscapes('\x1b[2K\x1b[1A\x1b[2K\x1b[Gquickstart  \x1b[31mError\x1b[0m')).toBe('quickstart  Error');
  });
});
