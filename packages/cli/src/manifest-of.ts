import { createCodecRegistry, filterById } from '@tx2/pack-codecs';
import { ContainerKind, type Manifest, readHeader, readManifestAt, type SectionEntry } from '@tx2/pack-format';

/**
 * The name people read for a part of a delta's payload, whose ids are `<index>:<component>[.<field>| added rows| ...]`
 * (the index keeps them unique): `3:Health.current` with its one field `current` reads `Health`, so its column is `Health.current`.
 */
function deltaPartName(component: Manifest['components'][number]): string {
  const name = component.id.replace(/^\d+:/, '');
  const only = component.fields.length === 1 ? component.fields[0]!.name : component.layout === 'blobs' ? 'blobs' : undefined;
  return only !== undefined && name.endsWith(`.${only}`) ? name.slice(0, -only.length - 1) : name;
}

/** The manifest of a plain container, from the section list the caller has (its table of contents, or a scan when that is damaged); a delta's parts get readable names. */
export async function manifestOf(plain: Uint8Array, sections: readonly SectionEntry[]): Promise<Manifest> {
  const manifest = await readManifestAt(plain, sections, { codecs: (await createCodecRegistry()).codecs, filters: filterById });
  if (readHeader(plain).kind !== ContainerKind.Delta) return manifest;
  return { ...manifest, components: manifest.components.map((c) => ({ ...c, id: deltaPartName(c) })) };
}
