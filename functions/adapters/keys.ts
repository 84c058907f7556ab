import type { DedupeKey } from '../core/dedupe';

/** Every key the repositories write. Handlers and core never build keys. */
export const keys = {
  lead: (id: string) => ({ pk: `LEAD#${id}`, sk: 'LEAD' }),
  audit: (leadId: string, at: string, seq: string) => ({ pk: `LEAD#${leadId}`, sk: `AUDIT#${at}#${seq}` }),
  dedupe: (key: DedupeKey) => ({ pk: `KEY#${key.on}#${key.value}`, sk: 'KEY' }),
  delivery: (sourceId: string, deliveryId: string) => ({ pk: `DELIVERY#${sourceId}#${deliveryId}`, sk: 'DELIVERY' }),
  /** A body recently accepted from a source, by its content hash (no personal data in the key). */
  sameBody: (sourceId: string, hash: string) => ({ pk: `BODY#${sourceId}#${hash}`, sk: 'BODY' }),
  config: (name: string) => ({ pk: `CONFIG#${name}`, sk: 'CURRENT' }),
  configVersion: (name: string, version: number) => ({
    pk: `CONFIG#${name}`,
    sk: `V#${String(version).padStart(8, '0')}`,
  }),
  opportunity: (id: string) => ({ pk: `OPP#${id}`, sk: 'OPP' }),
  account: (id: string) => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' }),
  contact: (id: string) => ({ pk: `CONTACT#${id}`, sk: 'CONTACT' }),
  /** Notes and attachments sort among the audit entries, so one Query pages the whole feed. */
  feedEntry: (leadId: string, at: string, kind: 'N' | 'A' | 'O', id: string) => ({
    pk: `LEAD#${leadId}`,
    sk: `AUDIT#${at}#${kind}${id}`,
  }),
  attachment: (leadId: string, attachmentId: string) => ({ pk: `LEAD#${leadId}`, sk: `ATTACHMENT#${attachmentId}` }),
  /** An activity recorded on a lead under its client-given id: a retry finds it and counts nothing again. */
  activity: (leadId: string, activityId: string) => ({ pk: `LEAD#${leadId}`, sk: `ACTIVITY#${activityId}` }),
  /** Remembers a note created with an Idempotency-Key, so a retried POST answers the same note. */
  noteRequest: (leadId: string, noteId: string) => ({ pk: `LEAD#${leadId}`, sk: `NOTEREQ#${noteId}` }),
  notifyPrefs: (userId: string) => ({ pk: `USER#${userId}`, sk: 'NOTIFY_PREFS' }),
  notified: (eventId: string, userId: string) => ({ pk: `NOTIFIED#${eventId}`, sk: `USER#${userId}` }),
  outbox: (at: string, eventId: string, userId: string) => ({ pk: 'OUTBOX', sk: `MSG#${at}#${eventId}#${userId}` }),
  subscription: (id: string) => ({ pk: 'SUBSCRIPTION', sk: `SUB#${id}` }),
  subscriptionDelivery: (subscriptionId: string, at: string, eventId: string) => ({
    pk: `SUBSCRIPTION#${subscriptionId}`,
    sk: `DELIVERY#${at}#${eventId}`,
  }),
  delivered: (subscriptionId: string, eventId: string) => ({
    pk: `SUBSCRIPTION#${subscriptionId}`,
    sk: `DELIVERED#${eventId}`,
  }),
  /** An import job and its rejected rows share one partition; accepted-row records spread over their own. */
  importJob: (jobId: string) => ({ pk: `IMPORT#${jobId}`, sk: 'JOB' }),
  importRejected: (jobId: string, rowNumber: number) => ({
    pk: `IMPORT#${jobId}`,
    sk: `REJECTED#${String(rowNumber).padStart(9, '0')}`,
  }),
  /** The retention register of import jobs (sorted by creation): whose files and rejected rows are still kept. */
  importRetention: (createdAt: string, jobId: string) => ({ pk: 'RETENTION#IMPORTS', sk: `${createdAt}#${jobId}` }),
  /** A rejected import row found by the keyed hash (HMAC) of an e-mail or phone it names: no lead points at it. */
  rejectedBy: (on: string, hash: string, jobId: string, rowNumber: number) => ({
    pk: `REJECTEDBY#${on}#${hash}`,
    sk: `IMPORT#${jobId}#${String(rowNumber).padStart(9, '0')}`,
  }),
  importRow: (jobId: string, rowNumber: number) => ({ pk: `IMPORTROW#${jobId}#${rowNumber}`, sk: 'ROW' }),
  /** On a lead: an import row refused as its duplicate (so erasing or exporting the person finds the row by key). */
  importRef: (leadId: string, jobId: string, rowNumber: number) => ({
    pk: `LEAD#${leadId}`,
    sk: `IMPORTREF#${jobId}#${String(rowNumber).padStart(9, '0')}`,
  }),
  /** A source's audit trail (webhook secret rotations), newest last. */
  sourceAudit: (sourceId: string, at: string, id: string) => ({ pk: `SOURCE#${sourceId}`, sk: `AUDIT#${at}#${id}` }),
  /** A source changed at run time, as it stands now: all in one partition, so the capture functions read them in one Query. */
  sourceCurrent: (sourceId: string) => ({ pk: 'SOURCES', sk: `SOURCE#${sourceId}` }),
  /** One stored version of a run-time source (its history), beside its audit trail. */
  sourceVersion: (sourceId: string, version: number) => ({
    pk: `SOURCE#${sourceId}`,
    sk: `V#${String(version).padStart(8, '0')}`,
  }),
  /** A source's latest secret rotation (the guard against two at once). */
  sourceSecret: (sourceId: string) => ({ pk: `SOURCE#${sourceId}`, sk: 'SECRET' }),
  /**
   * One search token of a lead in one visibility scope: partitioned on the scope and the token's first
   * two characters, sorted by the token, so a prefix is one Query (see core/search.ts).
   */
  searchEntry: (scope: string, token: string, leadId: string) => ({
    pk: `SEARCH#${scope}#${token.slice(0, 2)}`,
    sk: `${token}#${leadId}`,
  }),
  /**
   * A lead a user follows, in the follower's partition sorted like the list indexes (`<createdAt>#<id>`),
   * so "my leads" merges the followed ones in order and search checks them. Ids only, no personal data.
   */
  followed: (user: string, createdAt: string, leadId: string) => ({
    pk: `FOLLOWS#${user}`,
    sk: `${createdAt}#${leadId}`,
  }),
  /** A saved view; its copies under its owner's and (when shared) its team's partitions list them. */
  view: (id: string) => ({ pk: `VIEW#${id}`, sk: 'VIEW' }),
  userView: (user: string, id: string) => ({ pk: `VIEWS#USER#${user}`, sk: `VIEW#${id}` }),
  teamView: (team: string, id: string) => ({ pk: `VIEWS#TEAM#${team}`, sk: `VIEW#${id}` }),
  ownerIndex: (owner: string | undefined, createdAt: string, id: string) => ({
    gsi1pk: `OWNER#${owner ?? 'UNASSIGNED'}`,
    gsi1sk: `${createdAt}#${id}`,
  }),
  /** Present only while something is due for the lead (sparse index). */
  dueIndex: (at: string, id: string) => ({ gsi4pk: 'DUE', gsi4sk: `${at}#${id}` }),
  /** Sparse: only leads with an open duplicate set are in the duplicates queue (newest first). */
  duplicatesIndex: (createdAt: string, id: string) => ({ gsi3pk: 'DUPLICATES#OPEN', gsi3sk: `${createdAt}#${id}` }),
  stageIndex: (stage: string, createdAt: string, id: string) => ({
    gsi2pk: `STAGE#${stage}`,
    gsi2sk: `${createdAt}#${id}`,
  }),
};

/** Lifecycle: routing counters, rep load, approval tasks. */
export const lifecycleKeys = {
  roundRobin: (team: string) => ({ pk: `ROUTING#rr#${team}`, sk: 'COUNTER' }),
  load: (user: string) => ({ pk: `LOAD#${user}`, sk: 'COUNTER' }),
  turn: (leadId: string, team: string) => ({ pk: `LEAD#${leadId}`, sk: `TURN#${team}` }),
  task: (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' }),
  taskAssignee: (assignee: string, createdAt: string, taskId: string) => ({
    gsi3pk: `ASSIGNEE#${assignee}`,
    gsi3sk: `${createdAt}#${taskId}`,
  }),
  /** A stage step's task item; open steps sit in the same assignee index under their own prefix. */
  step: (stepId: string) => ({ pk: `STEP#${stepId}`, sk: 'STEP' }),
  /** Sparse (byDue): an open step until the sweep has fired its StepOverdue, by its due time. */
  stepDue: (dueAt: string, stepId: string) => ({ gsi4pk: 'STEPDUE', gsi4sk: `${dueAt}#${stepId}` }),
  stepAssignee: (assignee: string, createdAt: string, stepId: string) => ({
    gsi3pk: `STEPS#${assignee}`,
    gsi3sk: `${createdAt}#${stepId}`,
  }),
};

/**
 * Analytics counters, kept per generation so a rebuild fills a new one and then switches; and the
 * versioned scoring models with the active one's copy.
 */
export const reportKeys = {
  generation: () => ({ pk: 'COUNTERS', sk: 'GENERATION' }),
  day: (generation: number, day: string, counter: string) => ({ pk: `COUNTERS#${generation}#DAY#${day}`, sk: counter }),
  open: (generation: number, counter: string) => ({ pk: `COUNTERS#${generation}#OPEN`, sk: counter }),
  tally: (generation: number, leadId: string) => ({ pk: `COUNTERS#${generation}#LEAD#${leadId}`, sk: 'TALLY' }),
  counted: (generation: number, eventId: string) => ({ pk: `COUNTERS#${generation}#EVENT#${eventId}`, sk: 'COUNTED' }),
  model: (version: number) => ({ pk: 'SCORING#MODEL', sk: `V#${String(version).padStart(8, '0')}` }),
  activeModel: () => ({ pk: 'SCORING#MODEL', sk: 'ACTIVE' }),
};

/** Quick quotes: one item per version, the yearly number counter, and links from their lead or opportunity. */
export const quoteKeys = {
  version: (quoteId: string, version: number) => ({
    pk: `QUOTE#${quoteId}`,
    sk: `V#${String(version).padStart(6, '0')}`,
  }),
  counter: (year: number) => ({ pk: `QUOTE#COUNTER#${year}`, sk: 'COUNTER' }),
  leadLink: (leadId: string, quoteId: string) => ({ pk: `LEAD#${leadId}`, sk: `QUOTE#${quoteId}` }),
  opportunityLink: (opportunityId: string, quoteId: string) => ({ pk: `OPP#${opportunityId}`, sk: `QUOTE#${quoteId}` }),
  /** Sent versions by expiry (the byStage index's generic keys): what a restarted local runtime re-arms. */
  sentIndex: (expiresAt: string, quoteId: string, version: number) => ({
    gsi2pk: 'QUOTES#sent',
    gsi2sk: `${expiresAt}#${quoteId}#${version}`,
  }),
};
