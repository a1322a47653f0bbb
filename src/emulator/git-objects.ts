import { createHash } from 'node:crypto';
import type { Signature } from './entities';

/**
 * Git's object ids, computed as Git computes them (SHA-1 of `<type> <length>\0<body>`), so the emulator's commits
 * have real, stable 40-hex ids: the same files, parents, author, time and message always give the same id.
 */

function objectId(type: 'blob' | 'tree' | 'commit', body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

export function blobId(content: Buffer): string {
  return objectId('blob', content);
}

interface TreeNode {
  files: Map<string, string>;
  directories: Map<string, TreeNode>;
}

/**
 * The id of the root tree of a file tree (`path → blob id`), built bottom-up as Git stores directories: entries
 * sorted by name, with a directory sorted as if its name ended in `/`.
 */
export function treeId(files: Readonly<Record<string, string>>): string {
  const root: TreeNode = { files: new Map(), directories: new Map() };
  for (const [path, blob] of Object.entries(files)) {
    const parts = path.split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let child = node.directories.get(part);
      if (child === undefined) {
        child = { files: new Map(), directories: new Map() };
        node.directories.set(part, child);
      }
      node = child;
    }
    node.files.set(parts[parts.length - 1]!, blob);
  }
  return writeTree(root);
}

function writeTree(node: TreeNode): string {
  const entries: Array<{ sortKey: string; bytes: Buffer }> = [];
  for (const [name, blob] of node.files) {
    entries.push({ sortKey: name, bytes: Buffer.concat([Buffer.from(`100644 ${name}\0`), Buffer.from(blob, 'hex')]) });
  }
  for (const [name, child] of node.directories) {
    entries.push({ sortKey: `${name}/`, bytes: Buffer.concat([Buffer.from(`40000 ${name}\0`), Buffer.from(writeTree(child), 'hex')]) });
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
  return objectId('tree', Buffer.concat(entries.map((entry) => entry.bytes)));
}

export function commitId(input: { tree: string; parents: readonly string[]; author: Signature; committer: Signature; message: string }): string {
  // Bitbucket's times are milliseconds; Git records whole seconds.
  const person = (who: Signature) => `${who.name} <${who.emailAddress}> ${Math.floor(who.timestamp / 1000)} +0000`;
  const lines = [`tree ${input.tree}`, ...input.parents.map((parent) => `parent ${parent}`), `author ${person(input.author)}`, `committer ${person(input.committer)}`];
  return objectId('commit', Buffer.from(`${lines.join('\n')}\n\n${input.message.endsWith('\n') ? input.message : `${input.message}\n`}`));
}
