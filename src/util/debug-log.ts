/**
 * Per-connection debug logs: a file per connection (or per client session) under
 * `<data-dir>/logs/<protocol>/`, one line per event — ISO time, event name, `key=value` fields —
 * written in order. A protocol opens one only when the client or operator asked for it
 * (pgwire: `runlake.debug`). Callers never pass secrets; values are single-line.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const clean = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined';
  return /[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s;
};

export class DebugLog {
  private constructor(
    /** Absolute path of the file. */
    readonly path: string,
    /** The same path relative to the logs directory (what a client may be told). */
    readonly name: string,
  ) {}

  /** Creates `<logsDir>/<protocol>/<yyyy-mm-dd>-<label>.log` (appending if it exists). */
  static open(logsDir: string, protocol: string, label: string, now = new Date()): DebugLog {
    if (!/^[a-z]+$/.test(protocol) || !/^[A-Za-z0-9_.-]+$/.test(label)) throw new Error(`invalid debug log name ${protocol}/${label}`);
    const dir = join(logsDir, protocol);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = `${now.toISOString().slice(0, 10)}-${label}.log`;
    return new DebugLog(join(dir, file), `${protocol}/${file}`);
  }

  write(event: string, fields: Record<string, unknown> = {}): void {
    const kv = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${clean(v)}`).join('');
    appendFileSync(this.path, `${new Date().toISOString()} ${event}${kv}\n`, { mode: 0o600 });
  }
}
