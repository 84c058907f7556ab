export { withConflictRetries } from './transaction';
