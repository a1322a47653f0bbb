/// <reference path="./zip-stream.d.ts" />
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import ZipStream from 'zip-stream';

/** The archive formats Bitbucket's `archive` endpoint writes. */
export const ARCHIVE_FORMATS = ['zip', 'tar', 'tar.gz', 'tgz'] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

export function isArchiveFormat(value: string): value is ArchiveFormat {
  return (ARCHIVE_FORMATS as readonly string[]).includes(value);
}

/** The two content types Atlassian's document gives the archive (the file name tells the format). */
export const ARCHIVE_CONTENT_TYPES: Record<ArchiveFormat, string> = {
  zip: 'application/octet-stream',
  tar: 'application/x-tar',
  'tar.gz': 'application/octet-stream',
  tgz: 'application/octet-stream',
};

export interface ArchiveFile {
  path: string;
  content: Buffer;
}

/** The directories an archive lists before their files, as `git archive` does. */
function directoriesOf(files: readonly ArchiveFile[]): string[] {
  const directories = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/');
    for (let index = 1; index < parts.length; index += 1) directories.add(parts.slice(0, index).join('/'));
  }
  return [...directories].sort();
}

/** The archive writers queue what the reader has not taken yet: wait for the reader before adding the next file. */
async function readerCaughtUp(output: PassThrough): Promise<void> {
  if (!output.writableNeedDrain || output.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      output.off('drain', done).off('close', done);
      resolve();
    };
    output.on('drain', done).on('close', done);
  });
}

/**
 * Streams the files of a commit as a zip, tar or gzipped tar (`prefix` before every path), one entry at a time
 * and only as fast as the reader takes it, so an archive is never held whole in memory.
 */
export function archiveStream(files: readonly ArchiveFile[], options: { format: ArchiveFormat; prefix: string; mtime: Date }): Readable {
  const { format, prefix, mtime } = options;
  const output = new PassThrough();
  if (format === 'zip') {
    const zip = new ZipStream({ zlib: { level: 6 } });
    zip.on('error', (error) => output.destroy(error));
    zip.pipe(output);
    const add = (source: Buffer | null, data: { name: string; type: 'file' | 'directory'; mode: number }) =>
      new Promise<void>((resolve, reject) => zip.entry(source, { ...data, date: mtime }, (error) => (error ? reject(error) : resolve())));
    void (async () => {
      for (const directory of directoriesOf(files)) await add(null, { name: `${prefix}${directory}/`, type: 'directory', mode: 0o755 });
      for (const file of files) {
        await add(file.content, { name: `${prefix}${file.path}`, type: 'file', mode: 0o644 });
        await readerCaughtUp(output);
      }
      zip.finalize();
    })().catch((error: Error) => output.destroy(error));
    return output;
  }
  const tar = pack();
  // tar-stream's pack is a streamx stream, which pipes into Node's streams like one of theirs.
  const tarStream = tar as unknown as Readable;
  const written = format === 'tar' ? tarStream : tarStream.pipe(createGzip());
  written.on('error', (error: Error) => output.destroy(error));
  written.pipe(output);
  const add = (header: { name: string; type: 'file' | 'directory'; mode: number; size?: number }, content?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => (error ? reject(error) : resolve());
      if (content === undefined) tar.entry({ ...header, mtime }, callback);
      else tar.entry({ ...header, mtime }, content, callback);
    });
  void (async () => {
    for (const directory of directoriesOf(files)) await add({ name: `${prefix}${directory}/`, type: 'directory', mode: 0o755 });
    for (const file of files) {
      await add({ name: `${prefix}${file.path}`, type: 'file', mode: 0o644, size: file.content.length }, file.content);
      await readerCaughtUp(output);
    }
    tar.finalize();
  })().catch((error: Error) => output.destroy(error));
  return output;
}
