import type { ConfigDocument } from '../config/config-document';
import type { Actor, AuditEntry, ExecutionRecordOfLead, Lead } from '../lead';
import type { Clock, WorkflowCallback } from '../ports';
import type { ScoringConfig } from '../scoring/points-config';
import type { LearnedModel } from '../scoring/learned-model';
import type { ApprovalsConfig } from './approvals-config';
import type { ExecutionLimits, ExecutionStarter } from './execution-budget';
import type { NurtureConfig } from './nurture';
import type { RoutingCounters } from './assign';
import type { RoutingConfig } from './routing-config';
import type { RecordedActivity } from '../scoring/activities';
import type { StepTaskRecord } from './stage-steps';
import type { StagesConfig } from './stages-config';
import type { TeamsConfig } from './teams-config';
import type { PutEventsEntry } from './transitions';

/**
 * A lead as its store holds it: with the token of the wait it is in, and whether its search items
 * exist (a captured lead has none; its first change writes them, so capture stays as fast as before).
 */
export type StoredLead = Lead & { taskToken?: string; searchIndexed?: boolean };

export type LeadWriteOptions = {
  /** The token the change consumes: the write fails if the lead no longer waits on it. */
  consumeToken?: string;
  /** Token of the wait the execution just entered. */
  setToken?: string;
  /** An edit while the execution waits: the wait goes on, so its token stays. */
  keepToken?: boolean;
};

/** Every lead change after capture: conditional on the version (and the token it consumes), with its audit entries. */
export type LeadWriter = {
  write(before: StoredLead, patch: Partial<Lead>, audit: AuditEntry[], options?: LeadWriteOptions): Promise<StoredLead>;
  /**
   * One conditional update: the execution now waits on `token` (fails unless the lead is in a working
   * stage), and, when given, the execution record with its loop counted, in the same update.
   */
  setWaitToken(id: string, token: string, execution?: ExecutionRecordOfLead): Promise<void>;
  recordExecution(id: string, execution: ExecutionRecordOfLead): Promise<void>;
  releaseToken(id: string, token: string): Promise<boolean>;
};

export type LeadStorePort = {
  get(id: string): Promise<StoredLead | undefined>;
  write(
    before: StoredLead,
    patch: Partial<Lead>,
    audit: AuditEntry[],
    options?: Pick<LeadWriteOptions, 'consumeToken' | 'setToken' | 'keepToken'>,
  ): Promise<StoredLead>;
  /**
   * One conditional update: the execution now waits on `token` (fails unless the lead is in a working
   * stage), and, when given, the execution record with its loop counted, in the same update.
   */
  setWaitToken(id: string, token: string, execution?: ExecutionRecordOfLead): Promise<void>;
  /** One update: the execution record with an approval wait's loop counted (a rep wait counts it with its token). */
  recordExecution?(id: string, execution: ExecutionRecordOfLead): Promise<void>;
  /**
   * One conditional update: the lead no longer holds `token` (a wait that ran out); false when it does not
   * hold it any more (an action consumed it first).
   */
  releaseToken?(id: string, token: string): Promise<boolean>;
};

export type LifecycleConfigPort = {
  routing(): Promise<ConfigDocument<RoutingConfig>>;
  teams(): Promise<TeamsConfig>;
  stages(): Promise<StagesConfig>;
  approvals(): Promise<ApprovalsConfig>;
  scoring(): Promise<{ config: ConfigDocument<ScoringConfig>; model?: LearnedModel | null }>;
  /** Recycle rules; without it no disqualification nurtures. */
  nurture?(): Promise<NurtureConfig>;
};

export type ApprovalTaskRecord = {
  taskId: string;
  leadId: string;
  run: number;
  stepIndex: number;
  stepName: string;
  chainName: string;
  approver?: string;
  group?: string;
  escalatedTo?: string;
  /** Who asked for the conversion this task belongs to. */
  requestedBy?: string;
  /** Users who acted to cause this step and so may not decide it (four eyes); empty when the chain allows self-approval. */
  excludedDeciders?: string[];
  escalations: number;
  status: 'open' | 'decided' | 'cancelled';
  decision?: 'approve' | 'reject';
  decidedBy?: string;
  comment?: string;
  createdAt: string;
  dueAt: string;
  decidedAt?: string;
  taskToken?: string;
  /** Set on a quote-discount task: the quote version whose discount is being approved (no workflow token). */
  quote?: {
    quoteId: string;
    version: number;
    maxDiscountBps: number;
    limitBps: number;
    totalMinor: number;
    currency: string;
  };
  leadSummary: {
    name?: string;
    company?: string;
    email?: string;
    stage: string;
    owner?: string;
    expectedValue?: number;
    leadType: string;
  };
};

export type TasksPort = {
  get(taskId: string): Promise<ApprovalTaskRecord | undefined>;
  createOnce(task: ApprovalTaskRecord): Promise<ApprovalTaskRecord>;
  attachToken(taskId: string, token: string): Promise<void>;
  escalate(task: ApprovalTaskRecord, to: string, dueAt: string): Promise<ApprovalTaskRecord>;
  decide(
    task: ApprovalTaskRecord,
    decision: 'approve' | 'reject',
    by: string,
    comment: string | undefined,
    at: string,
  ): Promise<ApprovalTaskRecord>;
};

/** Approval tasks as the APIs see them: the lifecycle's port plus the caller's open tasks. */
export type ApprovalTasksStore = TasksPort & {
  /** Open tasks for a user: their own, their groups', and those escalated to them. */
  openFor(userId: string, groups: readonly string[]): Promise<ApprovalTaskRecord[]>;
};

export type ConversionPort = {
  convert(request: {
    leadId: string;
    actor: Actor;
    at: string;
  }): Promise<{ opportunityId: string; accountId?: string; contactId: string; alreadyConverted: boolean }>;
  convertToContact(request: { leadId: string; actor: Actor; at: string }): Promise<{ contactId: string }>;
};

/** The steps' task items: created once per id, listed per assignee, completed once. */
export type StepTasksPort = {
  get(stepId: string): Promise<StepTaskRecord | undefined>;
  createOnce(step: StepTaskRecord): Promise<StepTaskRecord>;
  /** Steps of a stage the lead has left: off the assignees' lists. */
  cancel(stepIds: readonly string[]): Promise<void>;
  /** Open steps moved to another assignee (their task lists follow); a step closed meanwhile stays closed. */
  reassign?(moves: readonly { id: string; to: string }[]): Promise<void>;
  /** Open steps of these assignees (`user:<id>`, `team:<id>`), newest first. */
  openFor(assignees: readonly string[]): Promise<StepTaskRecord[]>;
  /**
   * One transaction: the lead (conditional on its version; consuming `consumeToken`, or keeping its
   * wait token), the audit entries, the activity record (its id must be new) and the step (must be open).
   */
  complete(
    before: StoredLead,
    patch: Partial<Lead>,
    audit: AuditEntry[],
    consumeToken: string | undefined,
    step: StepTaskRecord,
    activity: RecordedActivity,
  ): Promise<StoredLead>;
};

export type LifecyclePorts = {
  leads: LeadStorePort;
  config: LifecycleConfigPort;
  counters: RoutingCounters;
  tasks: TasksPort;
  conversion: ConversionPort;
  clock: Clock;
  busName: string;
  /** Stage steps; without it, stages open no steps. */
  steps?: StepTasksPort;
  /** Starts successor executions (hand-over); only the workflow steps have it. */
  executions?: ExecutionStarter;
  /** @default DEFAULT_EXECUTION_LIMITS */
  limits?: ExecutionLimits;
  /**
   * Puts the events a step hands on (PutEvents entries, as a putEvents state would): the step that
   * arms a wait publishes what the step before it produced, so no state of its own is spent on it.
   */
  entries?: EntryPublisher;
  /** Completes a wait the workflow step itself armed (a hand-over decided when arming it). */
  callback?: WorkflowCallback;
};

export type EntryPublisher = { put(entries: PutEventsEntry[]): Promise<void> };
