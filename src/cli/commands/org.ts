import type { Command } from 'commander';
export function registerOrg(_program: Command): void {}
