import type { Session } from '../api/client';
import type { Route } from '../router';
export const SalesOpsPage = (_: { route: Route; session: Session }) => <h1>Sales ops</h1>;
