/**
 * Every Lambda entry point and every HTTP route, defined once: the stack builds functions and API
 * routes from this, the local server mounts the same routes on the same handlers.
 */
export type FunctionName =
  | 'captureWebhook'
  | 'captureForm'
  | 'leadsApi'
  | 'configApi'
  | 'workflowSteps'
  | 'leadActions'
  | 'approvalTasks'
  | 'importsApi';

export type FunctionSpec = {
  /** Folder under functions/ holding index.ts with the exported `handler`. */
  folder: string;
  description: string;
  /** What the function needs; the stack grants exactly these. */
  needs: readonly ('table:read' | 'table:write' | 'workflow:start' | 'workflow:callback' | 'bus:put' | 'secrets:webhooks' | 'attachments' | 'imports' | 'email')[];
  memoryMb?: number;
  timeoutSeconds?: number;
};

export const FUNCTIONS: Record<FunctionName, FunctionSpec> = {
  captureWebhook: { folder: 'capture-webhook', description: 'Signed campaign webhooks → lead', needs: ['table:read', 'table:write', 'workflow:start', 'secrets:webhooks'] },
  captureForm: { folder: 'capture-form', description: 'Public website forms → lead', needs: ['table:read', 'table:write', 'workflow:start'] },
  leadsApi: { folder: 'leads-api', description: 'Leads for signed-in users: entry, reads, lists', needs: ['table:read', 'table:write', 'workflow:start'] },
  configApi: { folder: 'config-api', description: 'Versioned configuration edited by sales ops', needs: ['table:read', 'table:write'] },
  workflowSteps: { folder: 'workflow-steps', description: 'Lambda steps of the lead lifecycle state machine', needs: ['table:read', 'table:write'] },
  leadActions: { folder: 'lead-actions', description: 'Rep actions that move a lead and resume its execution', needs: ['table:read', 'table:write', 'workflow:callback', 'bus:put'] },
  approvalTasks: { folder: 'approval-tasks', description: 'Approval tasks and decisions', needs: ['table:read', 'table:write', 'workflow:callback', 'bus:put'] },
  importsApi: { folder: 'imports-api', description: 'Bulk import jobs: create, post row batches, status, rejected rows', needs: ['table:read', 'table:write', 'workflow:start', 'imports'], memoryMb: 1024, timeoutSeconds: 60 },
};

export type Route = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; fn: FunctionName; public?: boolean };

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/webhooks/{sourceId}', fn: 'captureWebhook', public: true },
  { method: 'POST', path: '/forms/{formId}', fn: 'captureForm', public: true },
  { method: 'POST', path: '/leads', fn: 'leadsApi' },
  { method: 'GET', path: '/leads', fn: 'leadsApi' },
  { method: 'GET', path: '/leads/{id}', fn: 'leadsApi' },
  { method: 'GET', path: '/config/{name}', fn: 'configApi' },
  { method: 'PUT', path: '/config/{name}', fn: 'configApi' },
  { method: 'POST', path: '/leads/{id}/actions/{action}', fn: 'leadActions' },
  { method: 'GET', path: '/tasks', fn: 'approvalTasks' },
  { method: 'POST', path: '/tasks/{taskId}/decision', fn: 'approvalTasks' },
  { method: 'POST', path: '/imports', fn: 'importsApi' },
  { method: 'POST', path: '/imports/{id}/rows', fn: 'importsApi' },
  { method: 'GET', path: '/imports/{id}', fn: 'importsApi' },
  { method: 'GET', path: '/imports/{id}/rejected', fn: 'importsApi' },
];

export const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;
