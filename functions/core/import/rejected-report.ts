import type { RowOutcome } from './import-job';

/** First columns of the rejected-rows report; the file's own columns follow, unchanged. */
export const REPORT_COLUMNS = ['row', 'status', 'reasons'] as const;

export const reportHeader = (headers: readonly string[]): string[] => [...REPORT_COLUMNS, ...headers];

/** Why a row was not imported, one `field: reason` per problem. */
export const reasonsOf = (outcome: RowOutcome): string => {
  if (outcome.status === 'duplicate') {
    const matches = (outcome.duplicates ?? []).filter((m) => m.matchedOn !== 'domain');
    const first = matches[0];
    return first
      ? `${first.matchedOn}: duplicate of ${first.kind} ${first.id} (${first.value})${matches.length > 1 ? ` and ${matches.length - 1} more` : ''}; the source's policy is reject`
      : "duplicate; the source's policy is reject";
  }
  return (outcome.issues ?? []).map((i) => `${i.field}: ${i.reason}`).join(' | ');
};

/** One report line: row number, outcome, reasons, then the row exactly as it was in the file. */
export const reportLine = (outcome: RowOutcome, values: readonly string[]): string[] => [
  String(outcome.rowNumber),
  outcome.status,
  reasonsOf(outcome),
  ...values,
];

/** Rows that belong in the report: invalid ones and those the source's duplicate policy refused. */
export const isReported = (outcome: RowOutcome): boolean => outcome.status !== 'created';
