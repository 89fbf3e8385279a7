import { PackError } from '@tx2/pack-format';

/** The ECS library an adapter serves, named in errors. */
export type Library = 'bitecs' | 'koota' | 'miniplex';

/** A SchemaMismatch naming the library, the component and (when there is one) the field. */
export function schemaMismatch(library: Library, component: string, field: string | undefined, problem: string, fix: string): PackError {
  const where = field === undefined ? `component "${component}"` : `field "${field}" of component "${component}"`;
  return new PackError('SchemaMismatch', `${library}: ${where} ${problem}: ${fix}`, {
    details: { library, component, ...(field === undefined ? {} : { field }) },
  });
}

/** An InvalidInput for a bad argument of an adapter function. */
export function invalidArgument(library: Library, message: string, option?: string): PackError {
  return new PackError('InvalidInput', `${library}: ${message}`, { details: option === undefined ? { library } : { library, option } });
}

/** An InvalidInput for a registry entry that is not what its adapter accepts. */
export function badComponentSpec(library: Library, component: string, problem: string, accepted: string): PackError {
  return new PackError('InvalidInput', `${library}: registry entry "${component}" ${problem}: give ${accepted}`, { details: { library, component, option: 'components' } });
}
