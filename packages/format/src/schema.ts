import type { FieldType } from './field-types.js';

/** How one component is stored: named field types, or `'blob'` for MessagePack per entity. */
export type ComponentSchema = Readonly<Record<string, FieldType>> | 'blob';

/** Declared component layouts by component id; components not named are inferred. */
export type Schema = Readonly<Record<string, ComponentSchema>>;
