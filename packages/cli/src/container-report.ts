// What a container holds, from its structure alone (header, descriptors, table of contents,
// manifest): the data of `inspect`. Encrypted files without a key give what the header and
// the plain descriptors tell; with a key, everything.
import {
  codecName,
  ContainerKind,
  FilterId,
  HeaderFlags,
  readLayout,
  readTrailer,
  scanSections,
  SectionFlags,
  SectionKind,
  TrailerFlags,
  type SectionEntry,
  type SnapshotTrailer,
} from '@tx2/pack-format';
import type { Manifest as ManifestSummary, PackedSnapshot } from '@tx2/pack-format';
import type { DecryptionKeyInput } from '@tx2/pack-crypto';
import { toCliError } from './errors.js';
import { manifestOf } from './manifest-of.js';

import { sectionKindName, sectionName } from './section-names.js';
import { plainContainer, type SnapshotFile } from './snapshot-file.js';

/** One section of the file, as `inspect` lists it. */
export interface SectionReport {
  index: number;
  offset: number;
  kind: string;
  name: string;
  codec: string;
  filter: string;
  encrypted: boolean;
  rawBytes: number;
  storedBytes: number;
  /** How its payload is protected: a CRC-32, an AES-GCM tag, or nothing. */
  check: 'crc32' | 'aes-gcm-tag' | 'none';
}

/** One component with its entity count, fields and sizes. */
export interface ComponentReport {
  id: string;
  layout: 'columns' | 'blobs';
  entities: number;
  fields: { name: string; type: string }[];
  rawBytes: number;
  /** Null when the entry is not stored as one container (a store's delta or pooled sections). */
  storedBytes: number | null;
}

/** Everything `inspect` reports about a container. */
export interface ContainerReport {
  file: string;
  fileBytes: number;
  kind: 'snapshot' | 'delta';
  formatVersion: number;
  codec: string;
  encrypted: boolean;
  encryption: { cipher: string; keyFingerprint: string; keyFrom: 'key' | 'passphrase'; scrypt?: { N: number; r: number; p: number } } | undefined;
  sectionChecksums: boolean;
  sha256Digest: boolean;
  timestamp: number;
  worldTime: number;
  counts: { entities: number; components: number; entitySets: number; sections: number };
  /** False when the file is encrypted and no key was given: names, fields and metadata are then unknown. */
  contentsReadable: boolean;
  version: string | undefined;
  schemaVersion: number | undefined;
  components: ComponentReport[];
  sections: SectionReport[];
  metadata: Record<string, unknown> | undefined;
  /** Raw and stored bytes of all sections, for the overall ratio. */
  totals: { rawBytes: number; storedBytes: number };
  /** What is wrong with a damaged file (the report then holds what could still be read); null when intact as far as read. */
  damage: string | null;
}

const FILTER_NAMES: Record<number, string> = { [FilterId.None]: 'none', [FilterId.ByteShuffle]: 'shuffle', [FilterId.Delta]: 'delta' };

function sectionReport(entry: SectionEntry, index: number, manifest: ManifestSummary | undefined): SectionReport {
  const d = entry.descriptor;
  return {
    index,
    offset: entry.offset,
    kind: sectionKindName(d.kind),
    name: sectionName(d, manifest),
    codec: codecName(d.codec),
    filter: FILTER_NAMES[d.filter] ?? `filter ${d.filter}`,
    encrypted: d.cipher !== 0,
    rawBytes: d.rawLength,
    storedBytes: d.storedLength,
    check: d.cipher !== 0 ? 'aes-gcm-tag' : d.flags & SectionFlags.PayloadChecksum ? 'crc32' : 'none',
  };
}

function componentReports(manifest: ManifestSummary, sections: readonly SectionEntry[]): ComponentReport[] {
  return manifest.components.map((component, index) => {
    let rawBytes = 0;
    let storedBytes = 0;
    for (const { descriptor: d } of sections) {
      if ((d.kind === SectionKind.Column || d.kind === SectionKind.Blobs) && d.owner === index) {
        rawBytes += d.rawLength;
        storedBytes += d.storedLength;
      }
    }
    return { id: component.id, layout: component.layout, entities: manifest.sets[component.set]?.count ?? 0, fields: component.fields, rawBytes, storedBytes };
  });
}

/** Describes a container; with `key`, an encrypted one is decrypted to read its manifest. A damaged plain file is described as far as its sections can be walked. */
export async function describeContainer(file: SnapshotFile, key: DecryptionKeyInput | undefined): Promise<ContainerReport> {
  const { header, bytes, encryption } = file;
  let manifest: ManifestSummary | undefined;
  let damage: string | null = null;
  let trailer: SnapshotTrailer | undefined;
  // The descriptors are never encrypted: the file's own section list is always readable.
  let entries: SectionEntry[];
  if (encryption === undefined) {
    try {
      trailer = readTrailer(bytes);
      entries = readLayout(bytes).sections;
    } catch (error) {
      // What a streaming reader would still see: the frames from the header on.
      damage = toCliError(error).message;
      entries = scanSections(bytes).sections.filter((s) => s.descriptor.kind !== SectionKind.TableOfContents);
    }
    try {
      manifest = await manifestOf(bytes, entries);
    } catch (error) {
      damage ??= toCliError(error).message;
    }
  } else {
    trailer = readTrailer(bytes);
    entries = scanSections(bytes).sections.filter((s) => s.descriptor.kind !== SectionKind.TableOfContents);
    if (key !== undefined) {
      const plain = await plainContainer(file, key);
      manifest = await manifestOf(plain, readLayout(plain).sections);
    }
  }
  const sections = entries.map((entry, i) => sectionReport(entry, i, manifest));
  const components = manifest === undefined ? [] : componentReports(manifest, entries);
  return {
    file: file.path,
    fileBytes: bytes.length,
    kind: header.kind === ContainerKind.Delta ? 'delta' : 'snapshot',
    formatVersion: header.formatVersion,
    codec: codecName(header.codec),
    encrypted: encryption !== undefined,
    encryption:
      encryption === undefined
        ? undefined
        : {
            cipher: encryption.cipher,
            keyFingerprint: encryption.fingerprint,
            keyFrom: encryption.kdf === undefined ? 'key' : 'passphrase',
            ...(encryption.kdf === undefined ? {} : { scrypt: { N: encryption.kdf.N, r: encryption.kdf.r, p: encryption.kdf.p } }),
          },
    sectionChecksums: (header.flags & HeaderFlags.SectionChecksums) !== 0,
    sha256Digest: trailer !== undefined && (trailer.flags & TrailerFlags.PayloadDigest) !== 0,
    timestamp: header.timestamp,
    worldTime: header.worldTime,
    counts: { entities: header.entityCount, components: header.componentCount, entitySets: header.entitySetCount, sections: entries.length + 1 },
    contentsReadable: manifest !== undefined,
    version: manifest?.version,
    schemaVersion: manifest?.schemaVersion,
    components,
    sections,
    metadata: manifest?.metadata,
    totals: {
      rawBytes: entries.reduce((n, s) => n + s.descriptor.rawLength, 0),
      storedBytes: entries.reduce((n, s) => n + s.descriptor.storedLength, 0),
    },
    damage,
  };
}

/** The components of a decoded snapshot, for entries a store keeps in another form than one container: raw sizes only. */
export function componentsOfSnapshot(packed: PackedSnapshot): ComponentReport[] {
  return packed.components.map((component) => ({
    id: component.id,
    layout: component.layout,
    entities: component.entityIds.length,
    fields: component.layout === 'columns' ? component.fields.map((f) => ({ name: f.name, type: f.type })) : [],
    rawBytes:
      component.layout === 'blobs'
        ? component.blobs.reduce((n, b) => n + b.length, 0)
        : component.fields.reduce((n, f) => n + (ArrayBuffer.isView(f.values) ? f.values.byteLength : 0), 0),
    storedBytes: null,
  }));
}
