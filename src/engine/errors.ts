/**
 * Errors an engine raises for a query, classified so each protocol can answer in its own shape
 * (HTTP problem JSON, SQLSTATE, Athena error code). `message` is safe to show the client: engines
 * never put internal paths or stack traces in it.
 */
export const ENGINE_ERROR_KINDS = [
  /** The SQL does not parse. */
  'syntax',
  /** It parses but names something that does not exist or mixes types (binder/catalog errors). */
  'semantic',
  /** A function, statement or type the engine refuses. */
  'not_supported',
  /** A runtime data error (conversion, division by zero, out of range). */
  'data',
  /** The sandbox refused access (files, settings, extensions). */
  'permission',
  /** The query was interrupted (cancel or timeout). */
  'interrupted',
  /** Out of memory or disk. */
  'resource',
  /** Anything else: a bug or an environment failure; the message is generic. */
  'internal',
] as const;
export type EngineErrorKind = (typeof ENGINE_ERROR_KINDS)[number];

export class EngineError extends Error {
  constructor(readonly kind: EngineErrorKind, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}
