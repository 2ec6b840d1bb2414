import type { Command } from 'commander';
export function registerUsers(_program: Command): void {}
