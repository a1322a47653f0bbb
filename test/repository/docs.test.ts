/**
 * The documentation's promises that can be checked without running a deployment (the README's first deployment
 * is run by test/e2e/readme.test.ts): every relative link and #anchor leads somewhere, and every HCL example is a
 * configuration `terraform validate` accepts with Liftgate's providers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { expectSuccess, TerraformSandbox } from '../helpers/terraform';

jest.setTimeout(300_000);

const documents = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

/** The text outside fenced code blocks (links and headings inside examples are not the document's). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces as -. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  return new Set([...prose(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

describe('documentation links', () => {
  it.each(documents)('every relative link and anchor in %s leads somewhere', (document) => {
    const text = readFileSync(join(repoRoot, document), 'utf8');
    const broken: string[] = [];
    for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const file = path === '' ? join(repoRoot, document) : join(repoRoot, dirname(document), path);
      if (!existsSync(file)) {
        broken.push(`${target} (no ${relative(repoRoot, file)})`);
        continue;
      }
      if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
        broken.push(`${target} (no heading "#${anchor}" in ${relative(repoRoot, file)})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('lists every page of docs/ in its index', () => {
    const index = readFileSync(join(repoRoot, 'docs', 'README.md'), 'utf8');
    const pages = readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(pages.filter((page) => !index.includes(`](${page})`))).toEqual([]);
  });
});

describe('HCL examples', () => {
  const examples = documents.flatMap((document) =>
    [...readFileSync(join(repoRoot, document), 'utf8').matchAll(/^```hcl\n([\s\S]*?)^```/gm)].map((match, index) => ({ name: `${document} #${index + 1}`, hcl: match[1]! })),
  );
  const sandboxes: TerraformSandbox[] = [];
  afterAll(() => {
    for (const sandbox of sandboxes) sandbox.remove();
  });

  it('are there to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map((example) => [example.name, example.hcl]))('%s passes terraform validate', async (_name, hcl) => {
    const sandbox = new TerraformSandbox('liftgate-docs-hcl');
    sandboxes.push(sandbox);
    sandbox.writeConfig(hcl);
    expectSuccess(await sandbox.terraform(['init', '-no-color', '-input=false', '-backend=false']));
    const validated = await sandbox.terraform(['validate', '-no-color']);
    expectSuccess(validated);
    expect(validated.stdout).toContain('Success! The configuration is valid.');
  });
});
