#!/usr/bin/env bash
# Rebuilds the WebAssembly modules the package embeds, and writes them as base64 modules
# into src/wasm/*-binary.ts: zstd and LZ4 from their upstream sources, and the SIMD
# byte-shuffle of the shuffle filter from shuffle.c.
#
# The generated files are committed: installing or building the package never runs this.
# Run it only to move to a new zstd / LZ4 release (update the versions and checksums below).
#
# Needs (Debian 12): apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32
# Sources: the upstream release tarballs as Debian ships them ("orig" tarballs), fetched
# with `apt-get source --download-only` through a private deb-src entry for trixie, or passed in:
#   ZSTD_TARBALL=/path/libzstd_1.5.7+dfsg.orig.tar.xz LZ4_TARBALL=/path/lz4_1.10.0.orig.tar.gz wasm/build.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(cd "$HERE/.." && pwd)/src/wasm"

ZSTD_VERSION="1.5.7"
ZSTD_DEB="libzstd=1.5.7+dfsg-1"
ZSTD_SHA256="0c092ef267edce57ba7f3f2645c861f72eaf5e76273c6c3632869423464b90a5"
LZ4_VERSION="1.10.0"
LZ4_DEB="lz4=1.10.0-4"
LZ4_SHA256="537512904744b35e232912055ccf8ec66d768639ff3abe5788d90d792ec5f48b"

for tool in clang wasm-ld node; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing: apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32" >&2; exit 1; }
done
[ -f /usr/lib/wasm32-wasi/libc.a ] || { echo "build.sh: wasi-libc is missing: apt-get install -y wasi-libc" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ -z "${ZSTD_TARBALL:-}" ] || [ -z "${LZ4_TARBALL:-}" ]; then
  # A private apt configuration with one deb-src entry for trixie: the system's sources are left alone.
  mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$WORK/apt/sources.list"
  APT_OPTS=(-o "Dir::Etc::SourceList=$WORK/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$WORK/apt/lists" -o "Dir::Cache=$WORK/apt/cache")
  apt-get "${APT_OPTS[@]}" update >/dev/null
  (cd "$WORK" && apt-get "${APT_OPTS[@]}" source --download-only "$ZSTD_DEB" "$LZ4_DEB" >/dev/null 2>&1)
  ZSTD_TARBALL="${ZSTD_TARBALL:-$(ls "$WORK"/libzstd_*.orig.tar.*)}"
  LZ4_TARBALL="${LZ4_TARBALL:-$(ls "$WORK"/lz4_*.orig.tar.*)}"
fi
echo "$ZSTD_SHA256  $ZSTD_TARBALL" | sha256sum -c --quiet
echo "$LZ4_SHA256  $LZ4_TARBALL" | sha256sum -c --quiet
tar -xf "$ZSTD_TARBALL" -C "$WORK"
tar -xf "$LZ4_TARBALL" -C "$WORK"
ZSTD_LIB="$WORK/zstd-$ZSTD_VERSION/lib"
LZ4_LIB="$WORK/lz4-$LZ4_VERSION/lib"

# clang looks for <sysroot>/include/wasm32-wasi and <sysroot>/lib/wasm32-wasi.
mkdir -p "$WORK/sysroot/include" "$WORK/sysroot/lib"
ln -s /usr/include/wasm32-wasi "$WORK/sysroot/include/wasm32-wasi"
ln -s /usr/lib/wasm32-wasi "$WORK/sysroot/lib/wasm32-wasi"

# -O2 without SIMD, measured on 2026-12-03 (benchmarks/results/codecs-speed-2026-12-03.md): -O3,
# -msimd128 and both gave the same output bytes, 0.6-2.9% MORE instructions per zstd-3 write of the
# 10k world under TurboFan, and a 7-16% larger module; zstd's hot loops do not vectorize.
CFLAGS=(--target=wasm32-wasi "--sysroot=$WORK/sysroot" -O2 -mbulk-memory -DNDEBUG -mexec-model=reactor -Wl,--no-entry -Wl,--strip-all)
exports() { for e in "$@"; do printf -- '-Wl,--export=%s ' "$e"; done; }

ZSTD_EXPORTS=(malloc free ZSTD_versionNumber ZSTD_isError ZSTD_getErrorName ZSTD_compressBound
  ZSTD_createCCtx ZSTD_freeCCtx ZSTD_CCtx_reset ZSTD_CCtx_setParameter ZSTD_compress2 ZSTD_compressStream2 ZSTD_CStreamOutSize
  ZSTD_createDCtx ZSTD_freeDCtx ZSTD_DCtx_reset ZSTD_DCtx_setParameter ZSTD_decompressDCtx ZSTD_decompressStream ZSTD_DStreamOutSize
  ZSTD_getFrameContentSize ZSTD_findFrameCompressedSize)
# shellcheck disable=SC2046
clang "${CFLAGS[@]}" -Wl,-z,stack-size=1048576 $(exports "${ZSTD_EXPORTS[@]}") \
  -DZSTD_LEGACY_SUPPORT=0 -DZSTD_DISABLE_ASM -DZSTD_NO_TRACE -DDEBUGLEVEL=0 \
  -o "$WORK/zstd.wasm" "$HERE/mem.c" "$ZSTD_LIB"/common/*.c "$ZSTD_LIB"/compress/*.c "$ZSTD_LIB"/decompress/*.c 2> >(grep -v -e warning -e '^ ' -e '\^' -e 'note:' -e 'generated\.$' >&2 || true)

LZ4_EXPORTS=(malloc free tx_lz4_version tx_lz4_is_error tx_lz4_error_name tx_lz4_cctx_create tx_lz4_cctx_free tx_lz4_frame_bound
  tx_lz4_compress tx_lz4_begin tx_lz4_update_bound tx_lz4_update tx_lz4_end tx_lz4_dctx_create tx_lz4_dctx_free tx_lz4_dctx_reset tx_lz4_decompress)
# shellcheck disable=SC2046
clang "${CFLAGS[@]}" -Wl,-z,stack-size=262144 $(exports "${LZ4_EXPORTS[@]}") -I"$LZ4_LIB" \
  -o "$WORK/lz4.wasm" "$HERE/mem.c" "$HERE/lz4-glue.c" "$LZ4_LIB/lz4.c" "$LZ4_LIB/lz4hc.c" "$LZ4_LIB/lz4frame.c" "$LZ4_LIB/xxhash.c"

# The SIMD byte-shuffle: no libc, a 4 KiB stack, small enough (~2.5 KB) to compile synchronously.
clang --target=wasm32 -Os -msimd128 -nostdlib -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=4096 -Wl,--initial-memory=131072 \
  $(exports tx_shuffle4 tx_unshuffle4 tx_shuffle8 tx_unshuffle8) -o "$WORK/shuffle.wasm" "$HERE/shuffle.c"

emit() { # name version source-tarball wasm-file
  node -e '
    const [name, version, tarball, file, out] = process.argv.slice(1);
    const fs = require("node:fs");
    const crypto = require("node:crypto");
    const bytes = fs.readFileSync(file);
    const sha = crypto.createHash("sha256").update(bytes).digest("hex");
    const text = [
      `// GENERATED by wasm/build.sh: do not edit. ${name} ${version} compiled to WebAssembly`,
      `// from ${require("node:path").basename(tarball)}; ${bytes.length} bytes, sha256 ${sha}.`,
      `// Embedded as base64 so that no file is fetched at run time.`,
      `/** The upstream library version compiled into this module. */`,
      `export const ${name.toUpperCase()}_VERSION = ${JSON.stringify(version)};`,
      `/** The WebAssembly module, base64-encoded. */`,
      `export const ${name.toUpperCase()}_WASM_BASE64 =`,
      `  ${JSON.stringify(bytes.toString("base64"))};`,
      ``,
    ].join("\n");
    fs.writeFileSync(out, text);
    console.log(`wrote ${out} (${bytes.length} bytes of wasm)`);
  ' "$1" "$2" "$3" "$4" "$OUT/$1-binary.ts"
}
mkdir -p "$OUT"
emit zstd "$ZSTD_VERSION" "$ZSTD_TARBALL" "$WORK/zstd.wasm"
emit lz4 "$LZ4_VERSION" "$LZ4_TARBALL" "$WORK/lz4.wasm"
emit shuffle "simd128" "$HERE/shuffle.c" "$WORK/shuffle.wasm"
