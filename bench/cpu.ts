import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** The DynamoDB Local JVMs this process started. */
export const childJavaPids = (): number[] => {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('DynamoDBLocal'))
        pids.push(Number(entry));
    } catch {
      // the process is gone
    }
  }
  return pids;
};

const procCpuMs = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) / TICKS) * 1000;
  } catch {
    return 0;
  }
};

/**
 * CPU time of this process (load generator, local runtime, handlers) plus the DynamoDB Local JVM it
 * started. On a shared machine wall-clock rates measure the neighbours too; CPU per operation does not.
 * Linux only; elsewhere the JVM part reads as zero.
 */
export const cpuMeter = () => {
  const java = (() => {
    try {
      return childJavaPids();
    } catch {
      return [];
    }
  })();
  const snapshot = () => {
    const { user, system } = process.cpuUsage();
    return { node: (user + system) / 1000, java: java.reduce((sum, pid) => sum + procCpuMs(pid), 0) };
  };
  return {
    javaFound: java.length > 0,
    /** Runs `fn` and answers its result with the CPU milliseconds spent meanwhile. */
    async measure<T>(fn: () => Promise<T>): Promise<{ result: T; nodeMs: number; javaMs: number }> {
      const before = snapshot();
      const result = await fn();
      const after = snapshot();
      return { result, nodeMs: after.node - before.node, javaMs: after.java - before.java };
    },
  };
};
