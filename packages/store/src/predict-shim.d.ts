// TEMPORARY (until branch `predict` is merged): the predicted-delta API of @tx2/pack-format
// as agreed in PREDICT_API.md, so this package typechecks before it lands. Delete on merge.
import type { PackedSnapshot } from '@tx2/pack-format';

declare module '@tx2/pack-format' {
  interface DiffOptions {
    reference?: { snapshot: PackedSnapshot; scale: number; hash?: Uint8Array };
    predict?: 'auto' | 'always' | 'never';
  }
  interface SnapshotDelta {
    reference?: { hash: Uint8Array; scale: number };
  }
  interface ApplyOptions {
    reference?: PackedSnapshot;
    referenceHash?: Uint8Array;
  }
}
