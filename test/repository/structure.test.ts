/**
 * No god-files: no source file is longer than a reader can hold (generated bindings and the protocol's .proto
 * excepted), and no function of a command (src/cli) is longer than a screen: commands are thin and call the parts.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers/cli';
import { filesUnder } from '../helpers/files';

const srcDir = join(repoRoot, 'src');
const MAX_FILE_LINES = 400;
const MAX_CLI_FUNCTION_LINES = 60;
/** Written by generators, not by hand: the providers' L1 bindings (npm run gen:providers) and Terraform's protocol. */
const GENERATED = [/^providers\//, /^plugin\/proto\/.+\.proto$/];

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** The functions of a file longer than `limit` lines, as "file:line name (n lines)". */
export function longFunctions(path: string, text: string, limit: number): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name === undefined ? '(anonymous)' : node.name.getText(source);
      if (end - start + 1 > limit) found.push(`${path}:${start + 1} ${name} (${end - start + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the size of the source', () => {
  const files = filesUnder(srcDir).map((path) => ({ path: relative(srcDir, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }));

  it(`has no hand-written file over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .filter((file) => !GENERATED.some((pattern) => pattern.test(file.path)) && /\.(ts|tsx|css|js|html)$/.test(file.path))
      .filter((file) => lineCount(file.text) > MAX_FILE_LINES)
      .map((file) => `${file.path} (${lineCount(file.text)} lines)`);
    expect(long).toEqual([]);
  });

  it(`has no function in src/cli over ${MAX_CLI_FUNCTION_LINES} lines`, () => {
    const cli = files.filter((file) => file.path.startsWith('cli/') && file.path.endsWith('.ts'));
    expect(cli.length).toBeGreaterThan(10);
    expect(cli.flatMap((file) => longFunctions(file.path, file.text, MAX_CLI_FUNCTION_LINES))).toEqual([]);
  });

  it('finds a long function where there is one', () => {
    const body = Array.from({ length: 70 }, (_, index) => `  const v${index} = ${index};`).join('\n');
    expect(longFunctions('x.ts', `export function tooLong() {\n${body}\n}\nconst short = () => 1;\n`, MAX_CLI_FUNCTION_LINES)).toEqual([
      'x.ts:1 tooLong (72 lines)',
    ]);
  });
});
