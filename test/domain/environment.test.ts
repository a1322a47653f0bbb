import {
  environmentSizeProblem,
  environmentVariableNameProblem,
  environmentVariableValueProblem,
  maskSecrets,
  MAX_TOTAL_BYTES,
  MAX_VALUE_BYTES,
  MAX_VARIABLES,
  secretMasks,
  utf8Length,
} from '../../src/domain/environment';

describe('environment variable names', () => {
  it.each(['AWS_REGION', 'TF_VAR_region', '_private', 'a', 'x1', 'TF_PLUGIN_CACHE_DIR', 'TF_DATA_DIR', 'PATHS', 'HOMEDIR', 'MY_TF_HTTP_X', 'TF_HTTPX'])(
    'accepts %s',
    (name) => {
      expect(environmentVariableNameProblem(name)).toBeNull();
    },
  );

  it.each([
    ['', /must match/],
    ['1ABC', /must match/],
    ['A-B', /must match/],
    ['A B', /must match/],
    ['A=B', /must match/],
    ['ÄRGER', /must match/],
    ['A'.repeat(256), /at most 255 characters/],
  ])('refuses the malformed %j', (name, problem) => {
    expect(environmentVariableNameProblem(name)).toMatch(problem);
  });

  it.each([
    ['TF_HTTP_PASSWORD', 'TF_HTTP_*'],
    ['TF_HTTP_ADDRESS', 'TF_HTTP_*'],
    ['tf_http_password', 'TF_HTTP_*'],
    ['LIFTGATE_RUN_ID', 'LIFTGATE_*'],
    ['LIFTGATE_ENCRYPTION_KEY', 'LIFTGATE_*'],
    ['PATH', 'PATH'],
    ['Path', 'PATH'],
    ['HOME', 'HOME'],
    ['TF_CLI_ARGS', 'TF_CLI_ARGS*'],
    ['TF_CLI_ARGS_plan', 'TF_CLI_ARGS*'],
    ['TF_WORKSPACE', 'TF_WORKSPACE'],
    ['TF_LOG', 'TF_LOG*'],
    ['TF_LOG_PATH', 'TF_LOG*'],
    ['TF_LOG_PROVIDER', 'TF_LOG*'],
    ['TF_REATTACH_PROVIDERS', 'TF_REATTACH_PROVIDERS'],
    ['TF_APPEND_USER_AGENT', 'TF_APPEND_USER_AGENT'],
    ['TF_IN_AUTOMATION', 'TF_IN_AUTOMATION'],
    ['TF_INPUT', 'TF_INPUT'],
    ['CHECKPOINT_DISABLE', 'CHECKPOINT_DISABLE'],
    ['TF_CLI_CONFIG_FILE', 'TF_CLI_CONFIG_FILE'],
  ])('refuses the reserved %s, naming the rule and why', (name, rule) => {
    expect(environmentVariableNameProblem(name)).toMatch(new RegExp(`^${name} is reserved \\(${rule.replace(/\*/g, '\\*')}\\): .+`));
  });
});

describe('environment variable values and sizes', () => {
  it('accepts up to 64 KiB and refuses NUL', () => {
    expect(environmentVariableValueProblem('')).toBeNull();
    expect(environmentVariableValueProblem('x'.repeat(MAX_VALUE_BYTES))).toBeNull();
    expect(environmentVariableValueProblem('x'.repeat(MAX_VALUE_BYTES + 1))).toBe(`the value is ${MAX_VALUE_BYTES + 1} bytes; at most ${MAX_VALUE_BYTES} bytes are allowed`);
    expect(environmentVariableValueProblem('€'.repeat(MAX_VALUE_BYTES / 3 + 1))).toMatch(/at most 65536 bytes/);
    expect(environmentVariableValueProblem('a\u0000b')).toMatch(/NUL/);
  });

  it('counts UTF-8 bytes like Buffer does', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\uD800x']) expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('bounds how many variables a stack has and their total size', () => {
    expect(environmentSizeProblem([{ name: 'A', valueBytes: 10 }])).toBeNull();
    expect(environmentSizeProblem(Array.from({ length: MAX_VARIABLES + 1 }, (_, index) => ({ name: `V${index}`, valueBytes: 1 })))).toMatch(/at most 500/);
    const large = Array.from({ length: 17 }, (_, index) => ({ name: `V${index}`, valueBytes: MAX_VALUE_BYTES }));
    expect(environmentSizeProblem(large)).toMatch(new RegExp(`at most ${MAX_TOTAL_BYTES} bytes`));
  });
});

describe('masking secret values', () => {
  it('masks every occurrence, the longer secret first', () => {
    const masks = secretMasks(['hunter2', 'hunter2-prod', '']);
    expect(masks).toEqual(['hunter2-prod', 'hunter2']);
    expect(maskSecrets('password=hunter2-prod and hunter2 again: hunter2', masks)).toBe('password=*** and *** again: ***');
    expect(maskSecrets('nothing secret here', masks)).toBe('nothing secret here');
  });

  it('masks each line of a value of several lines, skipping lines too short to mean anything', () => {
    const pem = '-----BEGIN KEY-----\nMIIEowIBAAKCAQEA\r\n}\n-----END KEY-----';
    const masks = secretMasks([pem]);
    expect(masks).toEqual([pem, '-----BEGIN KEY-----', '-----END KEY-----', 'MIIEowIBAAKCAQEA'].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)));
    expect(maskSecrets('key line: MIIEowIBAAKCAQEA', masks)).toBe('key line: ***');
    expect(maskSecrets('a brace } stays', masks)).toBe('a brace } stays');
  });
});
