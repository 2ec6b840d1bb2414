import type { Command } from 'commander';
export function registerDocs(_program: Command): void {}
