import type { Route } from '../router';
export const DashboardPage = (_: { route: Route }) => <h1>Dashboard</h1>;
