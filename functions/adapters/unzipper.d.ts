// The part of unzipper 0.10 (no bundled types) that the XLSX row reader uses: the central directory
// of a zip file on disk, and a stream of one entry's inflated bytes.
declare module 'unzipper' {
  import type { Readable } from 'node:stream';

  export type CentralDirectoryEntry = {
    path: string;
    type: 'File' | 'Directory';
    compressedSize: number;
    uncompressedSize: number;
    stream(password?: string): Readable;
    buffer(password?: string): Promise<Buffer>;
  };

  export type CentralDirectory = { files: CentralDirectoryEntry[] };

  export const Open: {
    file(path: string): Promise<CentralDirectory>;
  };
}
