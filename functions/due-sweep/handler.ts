import { type SweepPorts, sweepDue } from '../core/lifecycle/due-sweep';

/** Invoked by the schedule (EventBridge Scheduler on AWS, an interval locally); the event carries nothing it needs. */
export const makeDueSweepHandler = (ports: SweepPorts) => async () => {
  const report = await sweepDue(ports);
  // Ids and counts only: the log carries no personal data.
  return {
    recycled: report.recycled.length,
    started: report.started.length,
    parked: report.parked.length,
    overdue: report.overdue.length,
    skipped: report.skipped,
  };
};
