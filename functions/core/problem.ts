import { LeadflowError } from './errors';

/** RFC 9457 problem details. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { field: string; reason: string }[];
  [extension: string]: unknown;
};

export const PROBLEM_TYPE_BASE = 'https://leadflow.dev/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The one mapping from errors to problem+json. Unknown errors never leak their message. */
export const toProblem = (error: unknown, instance?: string): Problem => {
  if (error instanceof LeadflowError) {
    const { issues, ...extensions } = error.details;
    return {
      ...extensions,
      type: PROBLEM_TYPE_BASE + error.code,
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      ...(instance ? { instance } : {}),
      ...(issues ? { errors: issues } : {}),
    };
  }
  return {
    type: `${PROBLEM_TYPE_BASE}internal`,
    title: TITLES[500] as string,
    status: 500,
    detail: 'Something went wrong on our side; the request may be retried',
    ...(instance ? { instance } : {}),
  };
};
