import cliProgress from 'cli-progress';

export type Progress = { update(done: number): void; stop(): void };

const rate = (done: number, startedAt: number) => done / Math.max((Date.now() - startedAt) / 1000, 0.001);

/** A bar on a terminal (rows, rows/s, ETA); a plain line every few seconds anywhere else (CI logs, pipes). */
export const makeProgress = (
  total: number,
  out: NodeJS.WriteStream,
  { everyMs = 2000, label = 'importing' } = {},
): Progress => {
  const startedAt = Date.now();
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {speed} rows/s | ETA {eta_formatted}`,
        hideCursor: true,
        stream: out,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { speed: '0' });
    return {
      update: (done) => bar.update(done, { speed: rate(done, startedAt).toFixed(0) }),
      stop: () => bar.stop(),
    };
  }
  // The first batch is reported at once, then one line every `everyMs`, and the last one always.
  let lastAt = 0;
  return {
    update(done) {
      const now = Date.now();
      if (now - lastAt < everyMs && done < total) return;
      lastAt = now;
      const speed = rate(done, startedAt);
      const eta = speed > 0 ? Math.ceil((total - done) / speed) : 0;
      out.write(
        `${label}: ${done}/${total} rows (${total ? Math.floor((done / total) * 100) : 100}%), ${speed.toFixed(0)} rows/s, ETA ${eta}s\n`,
      );
    },
    stop: () => undefined,
  };
};
