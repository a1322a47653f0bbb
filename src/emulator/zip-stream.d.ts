/** The part of zip-stream's API the emulator uses (the package ships no types). */
declare module 'zip-stream' {
  import type { Transform } from 'node:stream';

  interface ZipEntryData {
    name: string;
    date?: Date;
    mode?: number;
    type?: 'file' | 'directory';
  }

  class ZipStream extends Transform {
    constructor(options?: { zlib?: { level?: number } });
    entry(source: Buffer | string | null, data: ZipEntryData, callback: (error?: Error | null) => void): this;
    finalize(): void;
  }

  export = ZipStream;
}
