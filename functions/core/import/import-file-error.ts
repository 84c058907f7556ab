/** A file that cannot be imported as it is; the message says what is wrong and how to fix it. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}
