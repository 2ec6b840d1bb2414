/** A small injected logger: library code logs through this, never console. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** Logs one line per event to stderr: `time level msg key=value…`. */
export function stderrLogger(opts: { debug?: boolean } = {}): Logger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const kv = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('') : '';
    process.stderr.write(`${new Date().toISOString()} ${level} ${msg}${kv}\n`);
  };
  return {
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
    debug: (m, f) => { if (opts.debug) line('debug', m, f); },
  };
}
