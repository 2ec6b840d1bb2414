/**
 * Session settings (GUCs): defaults, what SET may change and to what, what SHOW prints, and the
 * ParameterStatus set a client is told at startup and whenever a reported setting changes.
 * Names are case-insensitive; each known setting has PostgreSQL's canonical spelling.
 */
import { PgError, SQLSTATE } from './errors.ts';
import { resolveTimeZone, type TimeZone, UTC } from './timezone.ts';
import type { FormatContext } from './types.ts';

export interface SettingsInit {
  user: string;
  serverVersion: string;
  timeZone: string;
}

interface GucDef {
  /** PostgreSQL's spelling (DateStyle, TimeZone…). */
  name: string;
  /** Sent as ParameterStatus at startup and on change (GUC_REPORT). */
  report?: boolean;
  readOnly?: boolean;
  description: string;
  default(init: SettingsInit): string;
  /** The value to store for a SET, or a thrown PgError (22023). */
  normalize?(value: string): string;
}

const invalid = (name: string, value: string, hint?: string): PgError =>
  new PgError(SQLSTATE.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, hint === undefined ? {} : { hint });

const bool = (name: string) => (v: string): string => {
  const l = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y'].includes(l)) return 'on';
  if (['off', 'false', 'no', '0', 'f', 'n'].includes(l)) return 'off';
  throw new PgError(SQLSTATE.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
};

/** A duration setting: a number of ms, or with a unit (`5s`, `100ms`, `1min`); shown as PostgreSQL does. */
export function parseDurationMs(name: string, value: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) throw invalid(name, value, 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
  const factor = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms').toLowerCase() as 'ms'];
  const ms = Math.round(Number(m[1]) * factor);
  if (ms < 0 || ms > 2_147_483_647) throw new PgError(SQLSTATE.invalidParameterValue, `${value} ms is outside the valid range for parameter "${name}" (0 .. 2147483647)`);
  return ms;
}

export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, f] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms % f === 0) return `${ms / f}${unit}`;
  }
  return `${ms}ms`;
}

const duration = (name: string) => (v: string): string => formatDurationMs(parseDurationMs(name, v));

const fixed = (value: string) => (): string => value;

const DEFS: GucDef[] = [
  { name: 'application_name', report: true, description: 'Sets the application name to be reported in statistics and logs.', default: fixed('') },
  {
    name: 'client_encoding', report: true, description: "Sets the client's character set encoding.", default: fixed('UTF8'),
    normalize: (v) => {
      if (/^(utf-?8|unicode)$/i.test(v.trim())) return 'UTF8';
      throw new PgError(SQLSTATE.featureNotSupported, `client_encoding "${v}" is not supported: this server speaks UTF8 only`, { hint: 'Use client_encoding UTF8.' });
    },
  },
  {
    name: 'DateStyle', report: true, description: 'Sets the display format for date and time values.', default: fixed('ISO, MDY'),
    normalize: (v) => {
      let order = 'MDY';
      for (const part of v.split(',').map((p) => p.trim().toUpperCase())) {
        if (part === 'ISO' || part === 'DEFAULT') continue;
        if (part === 'MDY' || part === 'US' || part === 'NONEURO' || part === 'NONEUROPEAN') order = 'MDY';
        else if (part === 'DMY' || part === 'EURO' || part === 'EUROPEAN') order = 'DMY';
        else if (part === 'YMD') order = 'YMD';
        else if (['SQL', 'POSTGRES', 'GERMAN'].includes(part)) {
          throw new PgError(SQLSTATE.featureNotSupported, `DateStyle "${v}" is not supported: this server prints dates in ISO style only`, { hint: "Use DateStyle 'ISO'." });
        } else throw invalid('DateStyle', v);
      }
      return `ISO, ${order}`;
    },
  },
  { name: 'default_transaction_read_only', report: true, description: "Sets the default read-only status of new transactions.", default: fixed('on'), normalize: bool('default_transaction_read_only') },
  { name: 'in_hot_standby', report: true, readOnly: true, description: 'Shows whether hot standby is currently active.', default: fixed('off') },
  { name: 'integer_datetimes', report: true, readOnly: true, description: 'Shows whether datetimes are integer based.', default: fixed('on') },
  {
    name: 'IntervalStyle', report: true, description: 'Sets the display format for interval values.', default: fixed('postgres'),
    normalize: (v) => {
      if (v.trim().toLowerCase() === 'postgres') return 'postgres';
      throw new PgError(SQLSTATE.featureNotSupported, `IntervalStyle "${v}" is not supported: this server prints intervals in the postgres style only`);
    },
  },
  { name: 'is_superuser', report: true, readOnly: true, description: 'Shows whether the current user is a superuser.', default: fixed('off') },
  { name: 'server_encoding', report: true, readOnly: true, description: 'Shows the server (database) character set encoding.', default: fixed('UTF8') },
  { name: 'server_version', report: true, readOnly: true, description: 'Shows the server version.', default: (i) => i.serverVersion },
  { name: 'server_version_num', readOnly: true, description: 'Shows the server version as an integer.', default: (i) => serverVersionNum(i.serverVersion) },
  { name: 'session_authorization', report: true, description: 'Sets the session user name.', default: (i) => i.user },
  {
    name: 'standard_conforming_strings', report: true, description: "Causes '...' strings to treat backslashes literally.", default: fixed('on'),
    normalize: (v) => {
      if (bool('standard_conforming_strings')(v) === 'on') return 'on';
      throw new PgError(SQLSTATE.featureNotSupported, 'standard_conforming_strings cannot be turned off on this server');
    },
  },
  {
    name: 'TimeZone', report: true, description: 'Sets the time zone for displaying and interpreting time stamps.', default: (i) => i.timeZone,
    normalize: (v) => {
      const z = resolveTimeZone(v);
      if (!z) throw invalid('TimeZone', v, 'Use a time zone name such as UTC or Europe/Paris.');
      return z.name;
    },
  },
  {
    name: 'extra_float_digits', description: 'Sets the number of digits displayed for floating-point values.', default: fixed('1'),
    normalize: (v) => {
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n < -15 || n > 3) throw new PgError(SQLSTATE.invalidParameterValue, `${v} is outside the valid range for parameter "extra_float_digits" (-15 .. 3)`);
      return String(n);
    },
  },
  {
    name: 'bytea_output', description: 'Sets the output format for bytea.', default: fixed('hex'),
    normalize: (v) => {
      const l = v.trim().toLowerCase();
      if (l !== 'hex' && l !== 'escape') throw invalid('bytea_output', v, 'Available values: escape, hex.');
      return l;
    },
  },
  { name: 'search_path', description: 'Sets the schema search order for names that are not schema-qualified.', default: fixed('"$user", public') },
  { name: 'statement_timeout', description: 'Sets the maximum allowed duration of any statement.', default: fixed('0'), normalize: duration('statement_timeout') },
  { name: 'idle_session_timeout', description: 'Sets the maximum allowed idle time between queries, when not in a transaction.', default: fixed('0'), normalize: duration('idle_session_timeout') },
  { name: 'idle_in_transaction_session_timeout', description: 'Sets the maximum allowed idle time between queries, when in a transaction.', default: fixed('0'), normalize: duration('idle_in_transaction_session_timeout') },
  { name: 'lock_timeout', description: 'Sets the maximum allowed duration of any wait for a lock.', default: fixed('0'), normalize: duration('lock_timeout') },
  { name: 'transaction_isolation', description: "Sets the current transaction's isolation level.", default: fixed('read committed') },
  { name: 'default_transaction_isolation', description: 'Sets the transaction isolation level of each new transaction.', default: fixed('read committed') },
  { name: 'transaction_read_only', description: "Sets the current transaction's read-only status.", default: fixed('on'), normalize: bool('transaction_read_only') },
  { name: 'client_min_messages', description: 'Sets the message levels that are sent to the client.', default: fixed('notice') },
  { name: 'lc_messages', description: 'Sets the language in which messages are displayed.', default: fixed('C') },
  { name: 'lc_monetary', description: 'Sets the locale for formatting monetary amounts.', default: fixed('C') },
  { name: 'lc_numeric', description: 'Sets the locale for formatting numbers.', default: fixed('C') },
  { name: 'lc_time', description: 'Sets the locale for formatting date and time values.', default: fixed('C') },
  { name: 'lc_collate', readOnly: true, description: 'Shows the collation order locale.', default: fixed('C') },
  { name: 'lc_ctype', readOnly: true, description: 'Shows the character classification and case conversion locale.', default: fixed('C') },
  { name: 'max_identifier_length', readOnly: true, description: 'Shows the maximum identifier length.', default: fixed('63') },
  { name: 'max_index_keys', readOnly: true, description: 'Shows the maximum number of index keys.', default: fixed('32') },
  { name: 'block_size', readOnly: true, description: 'Shows the size of a disk block.', default: fixed('8192') },
  { name: 'role', description: 'Sets the current role.', default: fixed('none') },
  { name: 'timezone_abbreviations', description: 'Selects a file of time zone abbreviations.', default: fixed('Default') },
  { name: 'ssl', readOnly: true, description: 'Enables SSL connections.', default: fixed('on') },
  // Runlake: a debug log of this connection under <data-dir>/logs/pgwire/ (debug-backend.ts).
  { name: 'runlake.debug', description: 'Writes a debug log of this connection to <data-dir>/logs/pgwire/.', default: fixed('off'), normalize: bool('runlake.debug') },
];

/** `15.18` → `150018`, `9.6.24` → `90624`. */
export function serverVersionNum(version: string): string {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!m) return '0';
  const major = Number(m[1]);
  if (major >= 10) return String(major * 10000 + Number(m[2] ?? 0));
  return String(major * 10000 + Number(m[2] ?? 0) * 100 + Number(m[3] ?? 0));
}

const BY_KEY = new Map(DEFS.map((d) => [d.name.toLowerCase(), d]));

/** The settings names a client is told about (ParameterStatus). */
export const REPORTED_SETTINGS = DEFS.filter((d) => d.report).map((d) => d.name);

export interface SettingChange {
  /** Lower-case key. */
  key: string;
  /** PostgreSQL's spelling. */
  name: string;
  value: string | null;
  reported: boolean;
}

export class SessionSettings {
  private values = new Map<string, string>();
  private readonly defaults = new Map<string, string>();
  private formatCtx: FormatContext | undefined;

  constructor(private readonly init: SettingsInit) {
    for (const d of DEFS) {
      const v = d.default(init);
      this.defaults.set(d.name.toLowerCase(), v);
      this.values.set(d.name.toLowerCase(), v);
    }
  }

  /** PostgreSQL's spelling of a setting name (custom settings: lower case). */
  static canonicalName(name: string): string {
    return BY_KEY.get(name.toLowerCase())?.name ?? name.toLowerCase();
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  /** Every setting by lower-case name (for backends). */
  get view(): ReadonlyMap<string, string> {
    return this.values;
  }

  /**
   * Checks and normalizes a value for SET (null = DEFAULT). Throws PgError for read-only
   * settings and invalid values. Does not store it: call `apply`. An unknown name is accepted
   * and remembered (PostgreSQL refuses unqualified ones with 42704, but BI tools SET settings
   * only some servers have: Tableau, RisingWave issue #10459); SHOW reads it back.
   */
  check(name: string, value: string | null): SettingChange {
    const key = name.toLowerCase();
    const def = BY_KEY.get(key);
    if (def?.readOnly) throw new PgError(SQLSTATE.featureNotSupported, `parameter "${def.name}" cannot be changed`);
    const v = value === null ? (this.defaults.get(key) ?? null) : def?.normalize ? def.normalize(value) : value;
    return { key, name: def?.name ?? key, value: v, reported: def?.report === true };
  }

  apply(change: SettingChange): void {
    if (change.value === null) this.values.delete(change.key);
    else this.values.set(change.key, change.value);
    this.formatCtx = undefined;
  }

  /** RESET ALL: every changeable setting back to its default; returns the reported ones that changed. */
  resetAll(): SettingChange[] {
    const changed: SettingChange[] = [];
    for (const [key, value] of [...this.values]) {
      const def = BY_KEY.get(key);
      if (def?.readOnly) continue;
      const d = this.defaults.get(key);
      if (d === value) continue;
      const change: SettingChange = { key, name: def?.name ?? key, value: d ?? null, reported: def?.report === true };
      this.apply(change);
      changed.push(change);
    }
    return changed;
  }

  /** The value SHOW prints, or a 42704 error for a setting that was never set. */
  show(name: string): { name: string; value: string } {
    const key = name.toLowerCase();
    const v = this.values.get(key);
    if (v === undefined) throw new PgError(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${key}"`);
    return { name: BY_KEY.get(key)?.name ?? key, value: v };
  }

  /** SHOW ALL rows: name, setting, description (known settings, then custom ones). */
  all(): [string, string, string][] {
    const rows: [string, string, string][] = [];
    for (const [key, value] of this.values) {
      const def = BY_KEY.get(key);
      rows.push([def?.name ?? key, value, def?.description ?? '']);
    }
    return rows.sort((a, b) => a[0].toLowerCase().localeCompare(b[0].toLowerCase()));
  }

  /** A copy of the values (taken at BEGIN; a ROLLBACK restores it, as PostgreSQL undoes SETs). */
  snapshot(): Map<string, string> {
    return new Map(this.values);
  }

  /** Restores a snapshot; returns the reported settings whose values changed. */
  restore(snapshot: Map<string, string>): SettingChange[] {
    const changed: SettingChange[] = [];
    for (const key of new Set([...this.values.keys(), ...snapshot.keys()])) {
      const before = this.values.get(key);
      const after = snapshot.get(key);
      if (before === after) continue;
      const def = BY_KEY.get(key);
      changed.push({ key, name: def?.name ?? key, value: after ?? null, reported: def?.report === true });
    }
    this.values = new Map(snapshot);
    this.formatCtx = undefined;
    return changed;
  }

  /** The statement_timeout in ms (0 = none). */
  durationMs(name: string): number {
    const v = this.get(name);
    return v === undefined ? 0 : parseDurationMs(name, v);
  }

  formatContext(): FormatContext {
    if (!this.formatCtx) {
      this.formatCtx = {
        timeZone: resolveTimeZone(this.get('timezone') ?? 'UTC') ?? (UTC as TimeZone),
        extraFloatDigits: Number(this.get('extra_float_digits') ?? '1'),
        byteaOutput: this.get('bytea_output') === 'escape' ? 'escape' : 'hex',
      };
    }
    return this.formatCtx;
  }

  get initial(): SettingsInit {
    return this.init;
  }
}
