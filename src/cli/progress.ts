/**
 * Progress bars for long CLI work: a live bar on a terminal, periodic plain lines otherwise
 * (CI logs), nothing when quiet.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  tick(n?: number): void;
  stop(): void;
}

export function progressBar(label: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { tick() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
  }
  let done = 0;
  let lastPrint = 0;
  return {
    tick(n = 1) {
      const wasDone = done >= total;
      done += n;
      const now = Date.now();
      if (now - lastPrint > 5000 || (done >= total && !wasDone)) {
        lastPrint = now;
        process.stderr.write(`${label}: ${done}/${total} (${total ? Math.floor((done / total) * 100) : 100}%)\n`);
      }
    },
    stop() {},
  };
}
