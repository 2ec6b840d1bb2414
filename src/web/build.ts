/**
 * Builds the web console (src/web/client) into memory with esbuild: one script, one stylesheet
 * and the icon, named by content hash, and the page that loads them. The server calls
 * `consoleBundle()` on the first console request and keeps the result for the life of the
 * process, so `npm install && npm start` needs no separate build step and nothing is fetched
 * from elsewhere at run time (every library is bundled from node_modules).
 *
 * Invariants: a build is deterministic for the same sources (hash names change only when the
 * content does); a failed build is not cached (the next request tries again); the page carries no
 * inline script (the server's Content-Security-Policy forbids them).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BuiltAsset {
  contentType: string;
  body: Buffer;
  etag: string;
  /** The body gzip-compressed, for clients that accept it (scripts and styles). */
  gzip?: Buffer;
}

export interface BuiltConsole {
  page: BuiltAsset;
  /** By file name, as served under /assets/. */
  assets: Map<string, BuiltAsset>;
}

const CLIENT_DIR = join(import.meta.dirname, 'client');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

let building: Promise<BuiltConsole> | undefined;

/** The built console, building it on first call (concurrent callers share one build). */
export function consoleBundle(): Promise<BuiltConsole> {
  building ??= buildConsole().catch((e: unknown) => {
    building = undefined;
    throw e;
  });
  return building;
}

/** Builds the console now (tests, and `consoleBundle`). */
export async function buildConsole(opts: { minify?: boolean } = {}): Promise<BuiltConsole> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(CLIENT_DIR, 'main.tsx')],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: opts.minify ?? true,
    legalComments: 'external',
    sourcemap: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', __DEV__: 'false' },
    absWorkingDir: CLIENT_DIR,
  });
  const assets = new Map<string, BuiltAsset>();
  const names: Record<string, string> = {};
  for (const f of result.outputFiles) {
    const ext = f.path.slice(f.path.lastIndexOf('.'));
    const base = f.path.slice(f.path.lastIndexOf('/') + 1, f.path.lastIndexOf('.'));
    if (ext === '.txt' || base.endsWith('.LEGAL')) {
      // Third-party licence comments, kept next to the bundle.
      assets.set('licenses.txt', asset(Buffer.from(f.contents), 'text/plain; charset=utf-8'));
      continue;
    }
    const body = Buffer.from(f.contents);
    const name = `${base}-${shortHash(body)}${ext}`;
    names[ext] = name;
    assets.set(name, asset(body, CONTENT_TYPES[ext] ?? 'application/octet-stream'));
  }
  const icon = await readFile(join(CLIENT_DIR, 'icon.svg'));
  const iconName = `icon-${shortHash(icon)}.svg`;
  assets.set(iconName, asset(icon, CONTENT_TYPES['.svg']!));
  if (!names['.js'] || !names['.css']) throw new Error('the console build produced no script or no stylesheet');

  const template = await readFile(join(CLIENT_DIR, 'index.html'), 'utf8');
  const page = template
    .replace('%SCRIPT%', `/assets/${names['.js']}`)
    .replace('%STYLE%', `/assets/${names['.css']}`)
    .replace('%ICON%', `/assets/${iconName}`);
  return { page: asset(Buffer.from(page, 'utf8'), CONTENT_TYPES['.html']!), assets };
}

function shortHash(b: Buffer): string {
  return createHash('sha256').update(b).digest('base64url').slice(0, 12).replace(/[-_]/g, 'x');
}

function asset(body: Buffer, contentType: string): BuiltAsset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return body.length > 1024 ? { contentType, body, etag, gzip: gzipSync(body, { level: 9 }) } : { contentType, body, etag };
}
