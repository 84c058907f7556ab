import type { SourceRow } from './row-to-lead';

/**
 * The imports bucket's prefixes: uploaded files, the workflow's normalised copies, and the Distributed
 * Map's results (statemachines/lead-import.asl.json). The bucket's lifecycle rules age each out.
 */
export const IMPORT_PREFIXES = { uploads: 'imports/', work: 'import-work/', results: 'import-results/' } as const;

/** Where an import's file is uploaded; the bucket's event starts the import workflow for this prefix. */
export const importObjectKey = (jobId: string, fileName: string) =>
  `imports/${jobId}/${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}`;

/** The job an uploaded object belongs to, from its key (`imports/<jobId>/<file>`). */
export const jobIdOfKey = (key: string): string | undefined =>
  /^imports\/(imp-[0-9a-f]{32})\/[^/]+$/.exec(decodeURIComponent(key.replace(/\+/g, ' ')))?.[1];

/** Where the workflow keeps the normalised CSV its Distributed Map reads (outside the upload prefix). */
export const rowsObjectKey = (jobId: string) => `import-work/${jobId}/rows.csv`;

/** First column of the normalised CSV: the row number as the person importing sees it in their file. */
export const ROW_COLUMN = 'row';
export const valueColumn = (index: number) => `c${index + 1}`;

/** An item of the Distributed Map's CSV reader back to the row it came from. */
export const rowOfItem = (item: Record<string, string>, columns: number): SourceRow => ({
  rowNumber: Number(item[ROW_COLUMN]),
  values: Array.from({ length: columns }, (_, i) => item[valueColumn(i)] ?? ''),
});
