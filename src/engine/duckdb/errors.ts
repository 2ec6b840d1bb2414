/**
 * The one place DuckDB's message-only errors are classified. DuckDB prefixes every message with
 * its error type ("Binder Error: …"); the prefix decides the kind, and the message is cleaned of
 * anything that is not the client's business (internal paths, "LINE n:" excerpts are kept since
 * they quote the client's own SQL).
 */
import { EngineError, type EngineErrorKind } from '../errors.ts';
import { GuardError } from './guard.ts';
import { UnsupportedTypeError } from './convert.ts';
import { RAISED } from '../../sql/trino/macros.ts';

const PREFIX_KIND: [RegExp, EngineErrorKind][] = [
  [/^Parser Error: /, 'syntax'],
  [/^(Binder|Catalog) Error: /, 'semantic'],
  [/^(Conversion|Out of Range|Invalid Input|Constraint|Mismatch Type|Dependency) Error: /, 'data'],
  [/^Not implemented Error: /, 'not_supported'],
  [/^Permission Error: /, 'permission'],
  [/^INTERRUPT Error: /, 'interrupted'],
  [/^Interrupt/i, 'interrupted'],
  [/^Out of Memory Error: /, 'resource'],
];

/** Trino-semantics macros raise errors as a failing cast of the marked message; unwrap it. */
const MACRO_ERROR = new RegExp(`^Conversion Error: Could not convert string '${RAISED}(.*?)' to INT32`, 's');

export function classifyDuckDBError(e: unknown, internalPaths: readonly string[] = []): EngineError {
  if (e instanceof EngineError) return e;
  if (e instanceof GuardError) return new EngineError(/^not supported: /.test(e.message) ? 'not_supported' : /does not exist/.test(e.message) ? 'semantic' : 'permission', e.message);
  if (e instanceof UnsupportedTypeError) return new EngineError('not_supported', e.message);
  const raw = e instanceof Error ? e.message : String(e);
  const macro = MACRO_ERROR.exec(raw);
  if (macro) return new EngineError('data', macro[1]!.replaceAll("''", "'"));
  if (/error\('not supported: /.test(raw) || /^Invalid Input Error: not supported: /.test(raw)) {
    return new EngineError('not_supported', raw.replace(/^Invalid Input Error: /, ''));
  }
  for (const [re, kind] of PREFIX_KIND) {
    if (re.test(raw)) {
      let message = raw;
      for (const p of internalPaths) message = message.split(p).join('<lake>/');
      if (kind === 'interrupted') message = 'the query was interrupted';
      // Never echo paths back: the sandbox's answer is the same for every file, existing or not.
      if (kind === 'permission') message = 'access to files, settings and extensions is not allowed: a query reads only its organization\'s tables';
      return new EngineError(kind, message.trim());
    }
  }
  return new EngineError('internal', 'the query failed because of an internal error');
}
