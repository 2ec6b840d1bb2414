/**
 * bench/lib/bench-org — the organization the read benchmarks query: `bench` in a data dir, built
 * once through the real write path (generate → ingest in batches of 1,000 → publish) when it has
 * no published snapshot yet, and kept for later runs (the same organization bench/query builds).
 */
import { join } from 'node:path';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { LakeRuntime } from '../../src/app/lake-runtime.ts';
import type { RunlakeConfig } from '../../src/config/config.ts';
import { IngestService } from '../../src/ingest/ingest-service.ts';
import { generateDemo } from '../../src/ingest/demo/generator.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { readCurrentManifest } from '../../src/lake/manifest-store.ts';
import type { Manifest } from '../../src/lake/layout.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { fmt, log } from './stats.ts';

export const BENCH_ORG = 'bench';
export const BENCH_TZ = 'America/New_York';

/** Ensures the organization exists and has a snapshot (building it with `processes` when not); its manifest and store. */
export async function ensureBenchOrg(config: RunlakeConfig, processes: number): Promise<{ manifest: Manifest; store: LocalObjectStore }> {
  const control = await openLocalAdmin(config);
  try {
    if (!(await control.store.getOrg(BENCH_ORG))) await control.admin.createOrg({ name: BENCH_ORG, timezone: BENCH_TZ });
    const store = new LocalObjectStore(join(config.dataDir, 'lake'));
    if (!(await readCurrentManifest(store, BENCH_ORG))) {
      log(`building organization ${BENCH_ORG} with ${fmt(processes)} processes in ${config.dataDir} (kept for the next run) …`);
      const runtime = await LakeRuntime.open({ config, store, log: silentLogger });
      const ingest = new IngestService({ getOrg: (n) => control.store.getOrg(n) }, runtime);
      const demo = generateDemo({ org: BENCH_ORG, processes, now: new Date() });
      await ingest.ingest(BENCH_ORG, 'member', demo.members);
      let batch: unknown[] = [];
      for (const p of demo.processes()) {
        batch.push(p);
        if (batch.length === 1000) {
          await ingest.ingest(BENCH_ORG, 'process', batch);
          batch = [];
        }
      }
      if (batch.length) await ingest.ingest(BENCH_ORG, 'process', batch);
      await runtime.publish(BENCH_ORG);
      await runtime.close();
    }
    return { manifest: (await readCurrentManifest(store, BENCH_ORG))!, store };
  } finally {
    await control.close();
  }
}
