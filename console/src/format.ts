import type { Lead, LeadAction, Session, Stage } from './api/client';

export const STAGE_LABEL: Record<Stage, string> = {
  Creation: 'New',
  Assigned: 'Assigned',
  MarketQualified: 'Market-qualified',
  SalesQualified: 'Sales-qualified',
  Converted: 'Converted',
  Disqualified: 'Disqualified',
};

export const ACTION_LABEL: Record<LeadAction, string> = {
  qualify: 'Qualify',
  handoff: 'Handoff to sales',
  distribute: 'Distribute',
  disqualify: 'Disqualify',
  convert: 'Convert',
};

/** Per working stage, the actions sales ops allow (`GET /config/stages`, `allowedActions`). */
export type StageRules = Partial<Record<Stage, { allowedActions?: LeadAction[] }>>;

/**
 * Which actions the lead's stage allows: the lead's own `allowedActions` when the API sends them,
 * else the stages configuration. The server decides either way and answers 409 otherwise.
 */
export const allowedActions = (lead: Lead, stages: StageRules | undefined): LeadAction[] =>
  lead.allowedActions ?? stages?.[lead.stage]?.allowedActions ?? [];

/** Managers and sales ops may act on and see every lead, not only their own. */
export const isManager = (s: Session) => s.groups.includes('manager') || s.groups.includes('salesops');

export const leadName = (lead: Pick<Lead, 'firstName' | 'lastName' | 'email' | 'phone' | 'id'>) =>
  [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.phone || lead.id;

export type Ageing = 'ok' | 'ageing' | 'overdue';

/** Where the lead stands against its stage SLA: past the deadline is overdue, past 75% is ageing. */
export const ageing = (lead: Pick<Lead, 'stageEnteredAt' | 'stageDeadline' | 'escalations'>, now: number): Ageing => {
  if (!lead.stageDeadline) return (lead.escalations ?? 0) > 0 ? 'overdue' : 'ok';
  const start = Date.parse(lead.stageEnteredAt);
  const end = Date.parse(lead.stageDeadline);
  if (now >= end || (lead.escalations ?? 0) > 0) return 'overdue';
  if (now >= start + 0.75 * (end - start)) return 'ageing';
  return 'ok';
};

export const duration = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
};

export const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '');
