// Byte layout constants of the tx2-pack container. docs/format.md is the normative spec;
// these numbers must match it and never change within a format version.

/** The format version this library writes; readers accept it and every older one. */
export const FORMAT_VERSION = 1;

/** `TX2PACK\0`: the first eight bytes of every container. */
export const MAGIC = new Uint8Array([0x54, 0x58, 0x32, 0x50, 0x41, 0x43, 0x4b, 0x00]);
/** `TX2PEND\0`: the last eight bytes of every container. */
export const END_MAGIC = new Uint8Array([0x54, 0x58, 0x32, 0x50, 0x45, 0x4e, 0x44, 0x00]);

export const HEADER_SIZE = 128;
export const DESCRIPTOR_SIZE = 64;
export const TOC_ENTRY_SIZE = 8 + DESCRIPTOR_SIZE;
export const TRAILER_SIZE = 64;
/** Every section frame starts at a multiple of this, so columns can be viewed in place. */
export const ALIGNMENT = 8;

/** What a container holds (header byte 16). */
export const ContainerKind = { Snapshot: 0, Delta: 1 } as const;

/** Header flag bits (header bytes 12-15). */
export const HeaderFlags = {
  /** Section payloads carry a CRC-32. */
  SectionChecksums: 1 << 0,
  /** Sections are encrypted; the crypto tier fills the key fields of the header. */
  Encrypted: 1 << 1,
} as const;

/** Trailer flag bits. */
export const TrailerFlags = {
  /** The trailer's digest field holds a SHA-256 of every byte before the trailer. */
  PayloadDigest: 1 << 0,
} as const;

/** Section descriptor flag bits (descriptor byte 5). */
export const SectionFlags = {
  /** The descriptor's payload CRC-32 field is set. */
  PayloadChecksum: 1 << 0,
} as const;

/** What a section holds (descriptor bytes 0-1). Append only. */
export const SectionKind = {
  /** World fields, entity sets and component schemas; MessagePack. Always the first section. */
  Manifest: 1,
  /** An explicit entity-id list: u32 little-endian. `index1` = entity set index. */
  EntitySet: 2,
  /** One column (or a chunk of it) of a columnar component. `index1` = component, `index2` = field. */
  Column: 3,
  /** The per-entity MessagePack blobs of a blob component. `index1` = component. */
  Blobs: 4,
  /** Per-entity metadata (created, modified, tags); MessagePack. */
  EntityMetadata: 5,
  /** The table of contents: one entry per other section. Always the last section. */
  TableOfContents: 6,
} as const;

/** Codec ids stored in descriptors and the header. The codecs tier implements all but `none`. Append only. */
export const CodecId = { None: 0, Lz4: 1, Zstd: 2, Deflate: 3, Gzip: 4 } as const;
/** Column filter ids stored in descriptors. Append only. */
export const FilterId = { None: 0, ByteShuffle: 1, Delta: 2 } as const;
/** Cipher ids stored in descriptors and the header. Append only. */
export const CipherId = { None: 0, Aes256Gcm: 1 } as const;

/** `index` value meaning "no component / no field". */
export const NO_INDEX = 0xffffffff;
