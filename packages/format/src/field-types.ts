/** The column types a component field can have. */
export type FieldType = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'f32' | 'f64' | 'string' | 'bytes';

/** The field types stored as fixed-width little-endian numbers. */
export type NumericFieldType = Exclude<FieldType, 'string' | 'bytes'>;

/** The in-memory array of a column, by field type. */
export interface ColumnValuesByType {
  bool: Uint8Array;
  i8: Int8Array;
  i16: Int16Array;
  i32: Int32Array;
  i64: BigInt64Array;
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  u64: BigUint64Array;
  f32: Float32Array;
  f64: Float64Array;
  string: readonly string[];
  bytes: readonly Uint8Array[];
}

/** Any column's values. */
export type ColumnValues = ColumnValuesByType[FieldType];

/** A typed-array constructor for a numeric field type. */
export type NumericArrayConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

interface FieldTypeInfo {
  /** Wire id of the type in the manifest. */
  readonly code: number;
  /** Bytes per value for numeric types, 0 for variable-length types. */
  readonly width: number;
  readonly array: NumericArrayConstructor | undefined;
}

// Wire codes are part of the format: append only, never renumber.
export const FIELD_TYPES: Readonly<Record<FieldType, FieldTypeInfo>> = {
  bool: { code: 1, width: 1, array: Uint8Array },
  i8: { code: 2, width: 1, array: Int8Array },
  i16: { code: 3, width: 2, array: Int16Array },
  i32: { code: 4, width: 4, array: Int32Array },
  i64: { code: 5, width: 8, array: BigInt64Array },
  u8: { code: 6, width: 1, array: Uint8Array },
  u16: { code: 7, width: 2, array: Uint16Array },
  u32: { code: 8, width: 4, array: Uint32Array },
  u64: { code: 9, width: 8, array: BigUint64Array },
  f32: { code: 10, width: 4, array: Float32Array },
  f64: { code: 11, width: 8, array: Float64Array },
  string: { code: 12, width: 0, array: undefined },
  bytes: { code: 13, width: 0, array: undefined },
};

const TYPE_BY_CODE = new Map<number, FieldType>((Object.keys(FIELD_TYPES) as FieldType[]).map((t) => [FIELD_TYPES[t].code, t]));

/** The field type with wire code `code`, or undefined for an unknown code. */
export function fieldTypeFromCode(code: number): FieldType | undefined {
  return TYPE_BY_CODE.get(code);
}

/** True when `value` names a field type. */
export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && Object.hasOwn(FIELD_TYPES, value);
}

/** True when the field type is stored as fixed-width numbers. */
export function isNumericFieldType(type: FieldType): type is NumericFieldType {
  return FIELD_TYPES[type].width > 0;
}
