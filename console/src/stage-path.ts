import type { AuditEntry, Lead, Stage } from './api/client';

export type PathStep = {
  stage: Stage;
  /** done: reached and left; current: the lead is here; skipped: a later stage was reached without it; todo: ahead. */
  status: 'done' | 'current' | 'skipped' | 'todo';
  /** Time spent in the stage over every visit (a rejected approval can send a lead back), in ms; 0 for todo. */
  ms: number;
  /** When the lead last entered the stage. */
  enteredAt?: string;
};

const WORKING: Stage[] = ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified'];

/**
 * The lead's stage path from its audit trail: the working stages in order, then Converted (or
 * Disqualified, when it ended there), each with the time spent in it. Audit entries whose `to`
 * differs from the stage the lead was in are the moves; the lead starts in Creation at `createdAt`.
 */
export const stagePath = (
  lead: Pick<Lead, 'stage' | 'createdAt' | 'stageEnteredAt'>,
  audit: readonly Pick<AuditEntry, 'at' | 'to'>[],
  now: number,
): PathStep[] => {
  const moves = [...audit].filter((a) => a.to).sort((a, b) => a.at.localeCompare(b.at));
  const spent = new Map<Stage, number>();
  const entered = new Map<Stage, string>();
  let stage: Stage = 'Creation';
  let since = lead.createdAt;
  entered.set(stage, since);
  for (const move of moves) {
    const to = move.to as Stage;
    if (to === stage) continue;
    spent.set(stage, (spent.get(stage) ?? 0) + Math.max(0, Date.parse(move.at) - Date.parse(since)));
    stage = to;
    since = move.at;
    entered.set(stage, since);
  }
  // The lead's own stage wins over a trail that has not caught up (the audit is written with the move).
  if (stage !== lead.stage) {
    stage = lead.stage;
    since = lead.stageEnteredAt;
    entered.set(stage, since);
  }
  const terminal = stage === 'Converted' || stage === 'Disqualified';
  if (!terminal) spent.set(stage, (spent.get(stage) ?? 0) + Math.max(0, now - Date.parse(since)));
  const path: Stage[] = [...WORKING, stage === 'Disqualified' ? 'Disqualified' : 'Converted'];
  const at = path.indexOf(stage);
  return path.map((s, i) => ({
    stage: s,
    status: s === stage ? 'current' : i < at ? (entered.has(s) ? 'done' : 'skipped') : entered.has(s) ? 'done' : 'todo',
    ms: spent.get(s) ?? 0,
    enteredAt: entered.get(s),
  }));
};
