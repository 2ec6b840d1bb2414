/** Keeps a server command alive until SIGINT/SIGTERM, then shuts down cleanly (once). */
export function runUntilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: publishing pending changes and stopping…\n`);
      close()
        .catch((e: unknown) => process.stderr.write(`error while stopping: ${String(e)}\n`))
        .finally(() => resolve());
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
