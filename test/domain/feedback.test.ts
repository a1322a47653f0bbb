import { buildStateOf, buildStatusDescription, buildStatusKey, buildStatusName, buildStatusParent, COMMENT_MAX_CHARACTERS, fitComment } from '../../src/domain/feedback';

test.each([
  ['QUEUED', 'INPROGRESS'],
  ['PREPARING', 'INPROGRESS'],
  ['PLANNING', 'INPROGRESS'],
  ['UNCONFIRMED', 'INPROGRESS'],
  ['APPLYING', 'INPROGRESS'],
  ['FINISHED', 'SUCCESSFUL'],
  ['FAILED', 'FAILED'],
  ['CANCELED', 'CANCELLED'],
  ['DISCARDED', 'CANCELLED'],
])('a %s run shows as %s', (runState, buildState) => {
  expect(buildStateOf(runState)).toBe(buildState);
});

test('keys are stable per stack and kind, never per run; the parent is the stack', () => {
  expect(buildStatusKey('s-1', 'TRACKED')).toBe('liftgate/s-1/tracked');
  expect(buildStatusKey('s-1', 'PROPOSED')).toBe('liftgate/s-1/proposed');
  expect(buildStatusParent('s-1')).toBe('liftgate/s-1');
  expect(buildStatusName('network', 'PROPOSED')).toBe('Liftgate · network (proposed)');
  expect(buildStatusDescription('x'.repeat(300))).toHaveLength(255);
  expect(buildStatusDescription('short')).toBe('short');
});

test.each([
  ['a text that fits is left alone', 'Plan: +1 ~0 -0', 'Plan: +1 ~0 -0'],
])('%s', (_name, text, expected) => {
  expect(fitComment(text, 'http://x')).toBe(expected);
});

test('a long plan is cut at a line break within 32,768 characters, its fence closed and the link named', () => {
  const text = `Plan\n\`\`\`\n${'  + resource "terraform_data" "x"\n'.repeat(3000)}\`\`\``;
  const fitted = fitComment(text, 'http://liftgate/stacks/s/runs/r');
  expect(fitted.length).toBeLessThanOrEqual(COMMENT_MAX_CHARACTERS);
  expect(fitted).toMatch(/\n```\n\n_The plan is longer than Bitbucket allows in a comment; the rest is at http:\/\/liftgate\/stacks\/s\/runs\/r_$/);
  expect(fitted.split('\n```\n\n_')[0]!.endsWith('"x"')).toBe(true);
});

test('a cut never splits a surrogate pair', () => {
  for (const max of [120, 121, 122, 123]) {
    const fitted = fitComment('😀'.repeat(100), 'L', max);
    expect(fitted.length).toBeLessThanOrEqual(max);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(fitted)).toBe(false);
  }
});
