/** Generated Looker projects, written to disk and parsed by the `lookml-parser` package. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { ProjectFile } from '../../../src/bi/lookml/project.ts';
import type { LkModel } from './looker-sql.ts';

const require = createRequire(import.meta.url);
const lookmlParser = require('lookml-parser') as {
  parseFiles(o: { source: string; cwd: string; console: Record<string, (...a: unknown[]) => void> }): Promise<ParsedProject>;
};

export interface ParsedProject {
  errors?: { $file_path: string; error: unknown }[];
  model?: Record<string, LkModel & { datagroup?: Record<string, { sql_trigger?: string }>; dashboard?: Record<string, DashboardYaml[]>; connection?: string }>;
}

export interface DashboardYaml {
  dashboard: string;
  elements: { name: string; explore: string; model: string; fields: string[]; filters?: Record<string, string>; sorts?: string[]; limit?: number; listen?: Record<string, string> }[];
  filters?: { name: string; explore: string; field: string }[];
}

export function writeProject(dir: string, files: readonly ProjectFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/** Parses a project directory: LookML files and LookML dashboards (YAML, through js-yaml). */
export async function parseProject(dir: string): Promise<ParsedProject> {
  const warnings: string[] = [];
  const project = await lookmlParser.parseFiles({
    source: '**/*.{lkml,lookml}',
    cwd: dir,
    console: { log: () => {}, info: () => {}, warn: (...a) => warnings.push(a.join(' ')), error: (...a) => warnings.push(a.join(' ')) },
  });
  if (warnings.length) throw new Error(`lookml-parser warned: ${warnings.join('\n')}`);
  return project;
}
