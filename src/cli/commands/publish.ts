import type { Command } from 'commander';
export function registerPublish(_program: Command): void {}
