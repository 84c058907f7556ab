/** Presigned uploads exist only where a bucket is configured (on AWS); locally rows are posted. */
export type ImportUploads = { uploadUrl(jobId: string, fileName: string, contentHash: string): Promise<string> };

/** Moves an upload to and from the function's scratch folder. */
export type ImportFiles = {
  download(bucket: string, key: string, path: string): Promise<void>;
  upload(bucket: string, key: string, path: string): Promise<void>;
};

/**
 * Reads a CSV or XLSX upload whole (a malformed file fails before any row is imported) and writes
 * the plain CSV the import workflow's Distributed Map reads; throws ImportFileError on a bad file.
 */
export type ImportNormaliser = (
  inPath: string,
  outPath: string,
  options: { sheet?: string },
) => Promise<{ headers: string[]; totalRows: number }>;
