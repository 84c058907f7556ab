import type { Lead } from '../lead';
import type { StoredLead } from '../lifecycle/ports';
import type { DismissalStore } from './dismiss-duplicates';
import type { MergePlan, MergeRecord, UnmergePlan } from './merge-plan';

/** A lead as the merge reads it: with its wait token and the merge holding it, if any. */
export type MergeableLead = StoredLead & { mergeLock?: string };

/** Where merges are kept and carried out (adapters/merge-repository.ts). */
export type MergeStore = {
  /** The leads, read consistently; missing ids are left out. */
  getMany(ids: readonly string[]): Promise<MergeableLead[]>;
  record(mergeId: string): Promise<MergeRecord | undefined>;
  /** The merges a survivor took leads in, newest first (for its feed's undo). */
  /**
   * Takes every lead for this merge, conditional on the version read: in id order and in batches, so
   * two merges of overlapping sets meet on the same lead first and exactly one holds it. On a lost lead
   * everything taken is given back and `lost` names the leads that were changed or held.
   */
  lock(record: MergeRecord, leads: readonly Pick<Lead, 'id' | 'version'>[]): Promise<{ lost: string[] }>;
  /** A merge that stopped while taking its leads: every lead it holds is given back, and the record says `released`. */
  release(record: MergeRecord): Promise<void>;
  /** Tombstones, key moves, then the survivor and the record: each step conditional on the merge, so a retry resumes. */
  commit(record: MergeRecord, plan: MergePlan): Promise<void>;
  /** The survivor back (conditional on the version read), then every merged lead and its keys. */
  unmerge(record: MergeRecord, plan: UnmergePlan, survivorVersion: number, by: string): Promise<void>;
  /** "Not a duplicate": see core/merge/dismiss-duplicates.ts. */
  dismiss: DismissalStore['dismiss'];
};

/** The merged leads' executions end; a restored lead's lifecycle starts again where it stood. */
export type MergeWorkflow = {
  /** Hands the wait the execution holds an `end`: it finishes (Succeeded) instead of waiting on a tombstone. */
  end(taskToken: string, leadId: string): Promise<void>;
  /** Starts the lifecycle anew with `resume: true` under a fresh execution name. */
  restart(leadId: string, executionName: string): Promise<void>;
};
