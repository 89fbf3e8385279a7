import { createCodecRegistry, filterById } from '@tx2/pack-codecs';
import { type Manifest, readManifestAt, type SectionEntry } from '@tx2/pack-format';

/** The manifest of a plain container, from the section list the caller has (its table of contents, or a scan when that is damaged). */
export async function manifestOf(plain: Uint8Array, sections: readonly SectionEntry[]): Promise<Manifest> {
  return readManifestAt(plain, sections, { codecs: (await createCodecRegistry()).codecs, filters: filterById });
}
