// The parts of @tx2/pack-format the tests use.
export {
  crc32,
  decodeSnapshot,
  DESCRIPTOR_SIZE,
  encodeSnapshot,
  FilterId,
  isPackError,
  readLayout,
  SectionKind,
  TOC_ENTRY_SIZE,
  type SectionCodec as Codec,
} from '@tx2/pack-format';
