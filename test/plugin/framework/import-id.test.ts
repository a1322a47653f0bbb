import { splitImportId } from '../../../src/plugin/framework/import-id';

describe('splitImportId', () => {
  it('names the parts of a well-formed id', () => {
    expect(splitImportId('PRJ/repo/42', ['project_key', 'repository_slug', 'webhook_id'])).toEqual({
      parts: { project_key: 'PRJ', repository_slug: 'repo', webhook_id: '42' },
    });
  });

  it.each(['PRJ/42', 'PRJ//42', 'PRJ/repo/42/x', ''])('explains the expected form for %j', (id) => {
    const result = splitImportId(id, ['project_key', 'repository_slug', 'webhook_id']);
    expect(result.parts).toBeUndefined();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        summary: 'Invalid import id',
        detail: `Expected an id of the form <project_key>/<repository_slug>/<webhook_id>, got ${JSON.stringify(id)}.`,
      }),
    ]);
  });
});
