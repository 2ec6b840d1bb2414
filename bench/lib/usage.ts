/**
 * `--help` for the bench scripts: prints the script's top doc comment (what it measures and its
 * options) and exits, before the script parses its options or starts any work.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The first `/** … *\/` block of a source file, without its comment markers. */
function topComment(path: string): string {
  const m = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(path, 'utf8'));
  return (m?.[1] ?? '').split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
}

/** Call first thing in a bench script with its `import.meta.url`. */
export function exitWithUsageOnHelp(scriptUrl: string): void {
  if (!process.argv.slice(2).some((a) => a === '--help' || a === '-h')) return;
  process.stdout.write(`${topComment(fileURLToPath(scriptUrl))}\n`);
  process.exit(0);
}
