// The manifest of a container read on its own (docs/format.md, section 4): component names,
// field types and entity counts, without decoding any column. Takes the section list from
// the caller (the table of contents, or a sequential scan when the TOC is damaged), so that
// `inspect` and `verify` can name every section even when a column is damaged.
import { CodecId, DESCRIPTOR_SIZE, decodeManifest, PackError, SectionKind, type Manifest, type SectionEntry } from '@tx2/pack-format';
import { loadCodec } from '@tx2/pack-codecs';

/** The decoded manifest of a container (the format's own type). */
export type ManifestSummary = Manifest;

/** Reads the manifest (the first of `sections`) of a plain container, decompressing it when needed; its CRC is checked by `verify`. */
export async function readManifest(plain: Uint8Array, sections: readonly SectionEntry[]): Promise<ManifestSummary> {
  const first = sections[0];
  if (first === undefined || first.descriptor.kind !== SectionKind.Manifest) {
    throw new PackError('InvalidFormat', 'the first section is not the manifest: the file is corrupt or not written by tx2-pack');
  }
  const d = first.descriptor;
  const start = first.offset + DESCRIPTOR_SIZE;
  let raw = plain.subarray(start, start + d.storedLength);
  if (d.codec !== CodecId.None) raw = (await loadCodec(d.codec)).decompress(raw, d.rawLength);
  return decodeManifest(raw.slice());
}
