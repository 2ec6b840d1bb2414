/** The data contract in code. See CONTEXT.md beside this file. */
export * from './types.ts';
export * from './enums.ts';
export * from './tables.ts';
export * from './documents.ts';
export * from './physical.ts';
