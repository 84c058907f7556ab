import { formulaSafeCsv } from '../safe-csv';
import type { Report, SourcesReport } from './reports';

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/**
 * Every report as one flat table (the same rows feed CSV and the terminal): one row per group,
 * source, rep or aging line, with a `section` column where a report has several tables.
 */
export const reportRows = (report: Report): Row[] => {
  switch (report.report) {
    case 'funnel':
      return report.groups.map((g) => {
        const row: Row = { group: g.group, created: g.created };
        for (const [stage, n] of Object.entries(g.reached)) row[`reached ${stage}`] = n;
        row.converted = g.converted;
        row.disqualified = g.disqualified;
        row['conversion rate'] = g.conversionRate;
        for (const s of g.stageConversion) row[`rate ${s.from}→${s.to}`] = s.rate;
        for (const [stage, d] of Object.entries(g.timeInStage)) {
          row[`median h in ${stage}`] = d.medianHours;
          row[`p90 h in ${stage}`] = d.p90Hours;
        }
        for (const [reason, n] of Object.entries(g.disqualifiedByReason)) row[`disqualified: ${reason}`] = n;
        return row;
      });
    case 'sources': {
      const reasons = [...new Set(report.channels.flatMap((c) => Object.keys(c.rejectedByReason)))].sort();
      const common = (r: SourcesReport['rows'][number] | SourcesReport['channels'][number]) => ({
        received: r.received,
        created: r.created,
        duplicates: r.duplicates,
        'duplicate share': r.duplicateShare,
        rejected: r.rejected,
        'reject share': r.rejectShare,
      });
      return [
        ...report.rows.map((r) => ({
          section: 'source',
          period: r.period,
          source: r.source,
          campaign: r.campaign,
          channel: null,
          ...common(r),
          converted: r.converted,
          'conversion rate': r.conversionRate,
          ...Object.fromEntries(reasons.map((reason) => [`rejected: ${reason}`, null])),
        })),
        ...report.channels.map((c) => ({
          section: 'channel',
          period: null,
          source: null,
          campaign: null,
          channel: c.channel,
          ...common(c),
          converted: null,
          'conversion rate': null,
          ...Object.fromEntries(reasons.map((reason) => [`rejected: ${reason}`, c.rejectedByReason[reason] ?? 0])),
        })),
      ];
    }
    case 'aging': {
      const counts = (r: Record<string, unknown>) => ({
        'within-sla': r['within-sla'] as number,
        'over-sla': r['over-sla'] as number,
        'escalated-1': r['escalated-1'] as number,
        'escalated-2': r['escalated-2'] as number,
        'escalated-3+': r['escalated-3+'] as number,
        total: r.total as number,
      });
      const blank = { id: null, 'created at': null, 'age days': null, link: null };
      return [
        ...report.byStage.map((r) => ({ section: 'stage', key: r.stage, ...counts(r), ...blank })),
        ...report.byOwner.map((r) => ({ section: 'owner', key: r.owner, ...counts(r), ...blank })),
        ...report.byTeam.map((r) => ({ section: 'team', key: r.team, ...counts(r), ...blank })),
        ...report.oldest.map((l) => ({
          section: 'oldest',
          key: l.stage,
          'within-sla': null,
          'over-sla': null,
          'escalated-1': null,
          'escalated-2': null,
          'escalated-3+': null,
          total: null,
          id: l.id,
          'created at': l.createdAt,
          'age days': l.ageDays,
          link: l.link,
        })),
      ];
    }
    case 'reps':
      return report.reps.map((r) => ({
        owner: r.owner,
        open: r.open,
        assigned: r.assigned,
        'first responses': r.firstResponse.count,
        'median h to first response': r.firstResponse.medianHours,
        'p90 h to first response': r.firstResponse.p90Hours,
        converted: r.converted,
        disqualified: r.disqualified,
        escalations: r.escalations,
        available: r.available,
      }));
  }
};

/** Every column that any row has, in first-seen order. */
export const columnsOf = (rows: readonly Row[]): string[] => [...new Set(rows.flatMap((r) => Object.keys(r)))];

/** RFC 4180 CSV with a header line; empty cells for null; formulas neutralised (safe-csv). Spreadsheets open it as is. */
export const toCsv = (report: Report): string => {
  const rows = reportRows(report);
  const columns = columnsOf(rows);
  return formulaSafeCsv([columns, ...rows.map((r) => columns.map((c) => r[c] ?? null))], { windows: true });
};
