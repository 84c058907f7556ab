/**
 * Every Lambda entry point and every HTTP route, defined once: the stack builds functions and API
 * routes from this, the local server mounts the same routes on the same handlers.
 */
export type FunctionName =
  | 'captureWebhook'
  | 'captureForm'
  | 'captureChatbot'
  | 'leadsApi'
  | 'configApi'
  | 'analyticsCounters'
  | 'reportsApi'
  | 'scoringApi'
  | 'scoringTrain'
  | 'crmApi'
  | 'leadCollabApi'
  | 'notifications'
  | 'outbound'
  | 'subscriptionsApi'
  | 'workflowSteps'
  | 'leadActions'
  | 'approvalTasks'
  | 'importsApi'
  | 'importBatch'
  | 'sourcesApi'
  | 'leadActivities'
  | 'privacyApi'
  | 'privacyEvents'
  | 'leadMerge'
  | 'dueSweep'
  | 'quotesApi'
  | 'quoteTimer'
  | 'retentionSweep';

export type FunctionSpec = {
  /** Folder under functions/ holding index.ts with the exported `handler`. */
  folder: string;
  description: string;
  /** What the function needs; the stack grants exactly these. */
  needs: readonly (
    | 'table:read'
    | 'table:write'
    | 'workflow:start'
    | 'workflow:callback'
    | 'bus:put'
    | 'secrets:webhooks'
    | 'secrets:rotate'
    | 'secrets:create'
    | 'attachments'
    | 'imports'
    | 'email'
    | 'privacy'
    | 'quotes:timer'
  )[];
  memoryMb?: number;
  timeoutSeconds?: number;
  /** Files (from the repository root) copied next to the bundle, for code that reads them at run time. */
  bundleFiles?: readonly string[];
};

export const FUNCTIONS: Record<FunctionName, FunctionSpec> = {
  captureWebhook: {
    folder: 'capture-webhook',
    description: 'Signed campaign webhooks → lead',
    needs: ['table:read', 'table:write', 'workflow:start', 'secrets:webhooks', 'bus:put'],
  },
  captureForm: {
    folder: 'capture-form',
    description: 'Public website forms → lead; a known person revisiting rescores their lead',
    needs: ['table:read', 'table:write', 'workflow:start', 'bus:put'],
  },
  captureChatbot: {
    folder: 'capture-chatbot',
    description: 'Amazon Lex V2 code hook: chatbot conversations → lead, once per session and intent',
    needs: ['table:read', 'table:write', 'workflow:start', 'bus:put'],
  },
  leadsApi: {
    folder: 'leads-api',
    description: 'Leads for signed-in users: entry, reads, lists, search, saved views and their export',
    // bus:put: a lead entered for someone in nurture wakes their lead (LeadActivityRecorded).
    needs: ['table:read', 'table:write', 'workflow:start', 'bus:put'],
  },
  configApi: {
    folder: 'config-api',
    description: 'Versioned configuration edited by sales ops',
    needs: ['table:read', 'table:write'],
  },
  analyticsCounters: {
    folder: 'analytics-counters',
    description: 'Bus consumer: analytics counters behind the reports, each event counted once',
    needs: ['table:read', 'table:write'],
  },
  reportsApi: {
    folder: 'reports-api',
    description: 'Funnel, sources, aging and reps reports from the counters (JSON or CSV)',
    needs: ['table:read'],
  },
  scoringApi: { folder: 'scoring-api', description: 'The scoring model card', needs: ['table:read'] },
  scoringTrain: {
    folder: 'scoring-train',
    description: 'Scheduled: trains the scoring model on outcomes, activates it if it beats the points model',
    needs: ['table:read', 'table:write'],
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  crmApi: {
    folder: 'crm-api',
    description: 'Opportunities, accounts and contacts; opportunity stage moves',
    needs: ['table:read', 'table:write', 'bus:put'],
  },
  leadCollabApi: {
    folder: 'lead-collab-api',
    description: 'Notes, attachments, followers and feed of a lead; notification preferences',
    needs: ['table:read', 'table:write', 'bus:put', 'attachments'],
  },
  notifications: {
    folder: 'notifications',
    description: 'Bus consumer: notifies owners, followers, managers and approvers',
    needs: ['table:read', 'table:write', 'email'],
  },
  outbound: {
    folder: 'outbound',
    description: 'Bus consumer: signed webhooks to subscribed integrations',
    needs: ['table:read', 'table:write'],
    timeoutSeconds: 30,
  },
  subscriptionsApi: {
    folder: 'subscriptions-api',
    description: 'Outbound webhook subscriptions managed by sales ops',
    needs: ['table:read', 'table:write'],
  },
  workflowSteps: {
    folder: 'workflow-steps',
    description: 'Lambda steps of the lead lifecycle state machine',
    // workflow:start: an execution near its history or age budget starts its successor (hand-over);
    // workflow:callback completes the wait it armed for that; bus:put publishes the events a step hands on.
    needs: ['table:read', 'table:write', 'workflow:start', 'workflow:callback', 'bus:put'],
  },
  leadActions: {
    folder: 'lead-actions',
    description: 'Rep actions that move a lead and resume its execution',
    // workflow:start: an action on a lead parked with no execution starts a fresh one (<leadId>-g<n>).
    needs: ['table:read', 'table:write', 'workflow:callback', 'workflow:start', 'bus:put'],
  },
  approvalTasks: {
    folder: 'approval-tasks',
    description: 'Approval tasks and decisions',
    // workflow:start: a step outcome on a lead parked with no execution starts a fresh one.
    needs: ['table:read', 'table:write', 'workflow:callback', 'workflow:start', 'bus:put', 'quotes:timer'],
  },
  importsApi: {
    folder: 'imports-api',
    description: 'Bulk import jobs: create, post row batches, status, rejected rows',
    // bus:put: a row for someone in nurture wakes their lead.
    needs: ['table:read', 'table:write', 'workflow:start', 'imports', 'bus:put'],
    memoryMb: 1024,
    timeoutSeconds: 60,
  },
  leadActivities: {
    folder: 'lead-activities',
    description:
      'Activities pushed by reps and integrations (replies, opens, meetings): counted once per id, audited, rescored',
    needs: ['table:read', 'table:write', 'bus:put'],
  },
  dueSweep: {
    folder: 'due-sweep',
    description:
      'Scheduled every minute: recycles nurtured leads whose time came and starts executions the open-execution limit parked',
    needs: ['table:read', 'table:write', 'workflow:start', 'bus:put'],
    timeoutSeconds: 60,
  },
  sourcesApi: {
    folder: 'sources-api',
    description:
      'Lead sources for sales ops (never a stored secret): create, edit, retire (versioned, audited); webhook secret creation and rotation',
    needs: ['table:read', 'table:write', 'bus:put', 'secrets:rotate', 'secrets:create'],
  },
  leadMerge: {
    folder: 'lead-merge',
    description:
      'Merges duplicate leads into a survivor (tombstones, one LeadsMerged event) and undoes a merge within its window',
    needs: ['table:read', 'table:write', 'workflow:start', 'workflow:callback', 'bus:put'],
    timeoutSeconds: 60,
  },
  importBatch: {
    folder: 'import-batch',
    description:
      'Import workflow steps: prepare the uploaded file, import a batch of rows (Distributed Map), finish, record failure',
    // bus:put: a row for someone in nurture wakes their lead.
    needs: ['table:read', 'table:write', 'workflow:start', 'imports', 'bus:put'],
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  privacyApi: {
    folder: 'privacy-api',
    description: 'Data-subject requests: erase a person (resumable, logged by ids and hashes), export what is held',
    needs: ['table:read', 'table:write', 'bus:put', 'privacy'],
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  privacyEvents: {
    folder: 'privacy-events',
    description:
      'Bus consumer: flags a re-captured erased person (policy recapture: flag); re-applies erasures replayed from the archive after a restore',
    needs: ['table:read', 'table:write', 'bus:put', 'privacy'],
    timeoutSeconds: 120,
  },
  retentionSweep: {
    folder: 'retention-sweep',
    description:
      'Scheduled daily: applies the privacy retention rules (anonymise long-disqualified or idle leads; delete import files and rejected rows past their days)',
    needs: ['table:read', 'table:write', 'bus:put', 'privacy'],
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  quotesApi: {
    folder: 'quotes-api',
    description:
      'Quick quotes from a lead or opportunity: priced drafts, discount approval, PDF, sending, answers, conversion on acceptance',
    needs: ['table:read', 'table:write', 'bus:put', 'attachments', 'email', 'quotes:timer', 'workflow:callback'],
    timeoutSeconds: 20,
    // The PDF embeds DejaVu Sans (functions/adapters/quote-pdf.ts reads them beside the bundle).
    bundleFiles: [
      'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
      'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
    ],
  },
  quoteTimer: {
    folder: 'quote-timer',
    description:
      'Quote expiry state machine step: expires a sent quote at the end of its validity unless answered first',
    needs: ['table:read', 'table:write', 'bus:put'],
  },
};

export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  fn: FunctionName;
  public?: boolean;
};

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/webhooks/{sourceId}', fn: 'captureWebhook', public: true },
  { method: 'POST', path: '/forms/{formId}', fn: 'captureForm', public: true },
  { method: 'POST', path: '/leads', fn: 'leadsApi' },
  { method: 'GET', path: '/leads', fn: 'leadsApi' },
  { method: 'GET', path: '/leads/{id}', fn: 'leadsApi' },
  { method: 'GET', path: '/search', fn: 'leadsApi' },
  { method: 'GET', path: '/views', fn: 'leadsApi' },
  { method: 'POST', path: '/views', fn: 'leadsApi' },
  { method: 'GET', path: '/views/{viewId}', fn: 'leadsApi' },
  { method: 'PUT', path: '/views/{viewId}', fn: 'leadsApi' },
  { method: 'DELETE', path: '/views/{viewId}', fn: 'leadsApi' },
  { method: 'GET', path: '/views/{viewId}/leads', fn: 'leadsApi' },
  { method: 'GET', path: '/views/{viewId}/export', fn: 'leadsApi' },
  { method: 'GET', path: '/duplicates', fn: 'leadsApi' },
  { method: 'GET', path: '/config/{name}', fn: 'configApi' },
  { method: 'PUT', path: '/config/{name}', fn: 'configApi' },
  { method: 'GET', path: '/reports/funnel', fn: 'reportsApi' },
  { method: 'GET', path: '/reports/sources', fn: 'reportsApi' },
  { method: 'GET', path: '/reports/aging', fn: 'reportsApi' },
  { method: 'GET', path: '/reports/reps', fn: 'reportsApi' },
  { method: 'GET', path: '/scoring/model', fn: 'scoringApi' },
  { method: 'GET', path: '/opportunities/{id}', fn: 'crmApi' },
  { method: 'PATCH', path: '/opportunities/{id}', fn: 'crmApi' },
  { method: 'GET', path: '/accounts/{id}', fn: 'crmApi' },
  { method: 'GET', path: '/contacts/{id}', fn: 'crmApi' },
  { method: 'POST', path: '/leads/{id}/notes', fn: 'leadCollabApi' },
  { method: 'POST', path: '/leads/{id}/attachments', fn: 'leadCollabApi' },
  { method: 'GET', path: '/leads/{id}/attachments/{attachmentId}', fn: 'leadCollabApi' },
  { method: 'POST', path: '/leads/{id}/followers', fn: 'leadCollabApi' },
  { method: 'DELETE', path: '/leads/{id}/followers', fn: 'leadCollabApi' },
  { method: 'GET', path: '/leads/{id}/feed', fn: 'leadCollabApi' },
  { method: 'GET', path: '/me/notifications', fn: 'leadCollabApi' },
  { method: 'PUT', path: '/me/notifications', fn: 'leadCollabApi' },
  { method: 'GET', path: '/config/subscriptions', fn: 'subscriptionsApi' },
  { method: 'POST', path: '/config/subscriptions', fn: 'subscriptionsApi' },
  { method: 'DELETE', path: '/config/subscriptions/{subscriptionId}', fn: 'subscriptionsApi' },
  { method: 'POST', path: '/leads/{id}/actions/{action}', fn: 'leadActions' },
  { method: 'PATCH', path: '/leads/{id}', fn: 'leadActions' },
  { method: 'POST', path: '/leads/{id}/activities', fn: 'leadActivities' },
  { method: 'GET', path: '/tasks', fn: 'approvalTasks' },
  { method: 'POST', path: '/tasks/{taskId}/decision', fn: 'approvalTasks' },
  { method: 'POST', path: '/tasks/{taskId}/complete', fn: 'approvalTasks' },
  { method: 'POST', path: '/imports', fn: 'importsApi' },
  { method: 'POST', path: '/imports/{id}/rows', fn: 'importsApi' },
  { method: 'POST', path: '/imports/duplicates', fn: 'importsApi' },
  { method: 'GET', path: '/imports/{id}', fn: 'importsApi' },
  { method: 'GET', path: '/imports/{id}/rejected', fn: 'importsApi' },
  { method: 'GET', path: '/sources', fn: 'sourcesApi' },
  { method: 'POST', path: '/sources/{id}/secret', fn: 'sourcesApi' },
  { method: 'POST', path: '/sources', fn: 'sourcesApi' },
  { method: 'PUT', path: '/sources/{id}', fn: 'sourcesApi' },
  { method: 'POST', path: '/sources/{id}/retire', fn: 'sourcesApi' },
  { method: 'GET', path: '/sources/{id}/versions', fn: 'sourcesApi' },
  { method: 'POST', path: '/privacy/erasures', fn: 'privacyApi' },
  { method: 'GET', path: '/privacy/erasures/{id}', fn: 'privacyApi' },
  { method: 'POST', path: '/privacy/exports', fn: 'privacyApi' },
  { method: 'POST', path: '/privacy/retention', fn: 'privacyApi' },
  { method: 'GET', path: '/leads/{id}/consents', fn: 'privacyApi' },
  { method: 'POST', path: '/leads/{id}/consents', fn: 'privacyApi' },
  { method: 'POST', path: '/merges', fn: 'leadMerge' },
  { method: 'GET', path: '/merges/{mergeId}', fn: 'leadMerge' },
  { method: 'POST', path: '/merges/{mergeId}/undo', fn: 'leadMerge' },
  { method: 'POST', path: '/merges/{mergeId}/resume', fn: 'leadMerge' },
  { method: 'POST', path: '/duplicates/dismissals', fn: 'leadMerge' },
  { method: 'POST', path: '/leads/{id}/quotes', fn: 'quotesApi' },
  { method: 'GET', path: '/leads/{id}/quotes', fn: 'quotesApi' },
  { method: 'POST', path: '/opportunities/{id}/quotes', fn: 'quotesApi' },
  { method: 'GET', path: '/opportunities/{id}/quotes', fn: 'quotesApi' },
  { method: 'GET', path: '/quotes/{quoteId}', fn: 'quotesApi' },
  { method: 'PUT', path: '/quotes/{quoteId}', fn: 'quotesApi' },
  { method: 'POST', path: '/quotes/{quoteId}/actions/{action}', fn: 'quotesApi' },
  { method: 'GET', path: '/quotes/{quoteId}/pdf', fn: 'quotesApi' },
];

export const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;
