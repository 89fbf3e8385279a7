// The package version, injected by tsup at build time from package.json.
declare const __TX2PACK_VERSION__: string;

/** The version of @tx2/pack-cli. */
export const VERSION: string = typeof __TX2PACK_VERSION__ === 'string' ? __TX2PACK_VERSION__ : '0.0.0-dev';
