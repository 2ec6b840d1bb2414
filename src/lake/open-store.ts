/** Opens the lake's object store from its configuration: a local directory or an S3 bucket. */
import type { LakeConfig } from '../config/config.ts';
import { LocalObjectStore } from './local-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore } from './s3-store.ts';

export function openObjectStore(cfg: LakeConfig): ObjectStore {
  switch (cfg.kind) {
    case 'local':
      return new LocalObjectStore(cfg.root);
    case 's3':
      return new S3ObjectStore(cfg);
  }
}
