// Byte-shuffle and its inverse for 4- and 8-byte values with WebAssembly SIMD (128-bit).
// Compiled by build.sh into a ~3 KB module that the shuffle filter instantiates
// synchronously; src/shuffle.ts falls back to plain JavaScript where SIMD is missing.
// Layout (as Blosc): plane k holds byte k of every value; `count` values per plane.
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

// Transposes a 4x4 matrix of 32-bit lanes held in rows a, b, c, d.
#define TRANSPOSE_4x32(a, b, c, d)                                        \
  do {                                                                    \
    v128_t t0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5);                     \
    v128_t t1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);                     \
    v128_t t2 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5);                     \
    v128_t t3 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);                     \
    a = wasm_i64x2_shuffle(t0, t2, 0, 2);                                 \
    b = wasm_i64x2_shuffle(t0, t2, 1, 3);                                 \
    c = wasm_i64x2_shuffle(t1, t3, 0, 2);                                 \
    d = wasm_i64x2_shuffle(t1, t3, 1, 3);                                 \
  } while (0)

// Transposes an 8x8 matrix of 16-bit lanes held in r[0..7].
static inline void transpose_8x16(v128_t r[8]) {
  v128_t t[8], u[8];
  for (int p = 0; p < 4; p++) {
    t[2 * p] = wasm_i16x8_shuffle(r[2 * p], r[2 * p + 1], 0, 8, 1, 9, 2, 10, 3, 11);
    t[2 * p + 1] = wasm_i16x8_shuffle(r[2 * p], r[2 * p + 1], 4, 12, 5, 13, 6, 14, 7, 15);
  }
  for (int h = 0; h < 2; h++) {
    v128_t *a = &t[4 * h];
    u[4 * h + 0] = wasm_i32x4_shuffle(a[0], a[2], 0, 4, 1, 5);
    u[4 * h + 1] = wasm_i32x4_shuffle(a[0], a[2], 2, 6, 3, 7);
    u[4 * h + 2] = wasm_i32x4_shuffle(a[1], a[3], 0, 4, 1, 5);
    u[4 * h + 3] = wasm_i32x4_shuffle(a[1], a[3], 2, 6, 3, 7);
  }
  for (int k = 0; k < 4; k++) {
    r[2 * k] = wasm_i64x2_shuffle(u[k], u[4 + k], 0, 2);
    r[2 * k + 1] = wasm_i64x2_shuffle(u[k], u[4 + k], 1, 3);
  }
}

void tx_shuffle4(const uint8_t *src, uint8_t *dst, size_t count) {
  const v128_t perm = wasm_i8x16_const(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    v128_t a = wasm_i8x16_swizzle(wasm_v128_load(src + 4 * i), perm);
    v128_t b = wasm_i8x16_swizzle(wasm_v128_load(src + 4 * i + 16), perm);
    v128_t c = wasm_i8x16_swizzle(wasm_v128_load(src + 4 * i + 32), perm);
    v128_t d = wasm_i8x16_swizzle(wasm_v128_load(src + 4 * i + 48), perm);
    TRANSPOSE_4x32(a, b, c, d);
    wasm_v128_store(dst + i, a);
    wasm_v128_store(dst + count + i, b);
    wasm_v128_store(dst + 2 * count + i, c);
    wasm_v128_store(dst + 3 * count + i, d);
  }
  for (; i < count; i++)
    for (int k = 0; k < 4; k++) dst[k * count + i] = src[4 * i + k];
}

void tx_unshuffle4(const uint8_t *src, uint8_t *dst, size_t count) {
  const v128_t perm = wasm_i8x16_const(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    v128_t a = wasm_v128_load(src + i);
    v128_t b = wasm_v128_load(src + count + i);
    v128_t c = wasm_v128_load(src + 2 * count + i);
    v128_t d = wasm_v128_load(src + 3 * count + i);
    TRANSPOSE_4x32(a, b, c, d);
    wasm_v128_store(dst + 4 * i, wasm_i8x16_swizzle(a, perm));
    wasm_v128_store(dst + 4 * i + 16, wasm_i8x16_swizzle(b, perm));
    wasm_v128_store(dst + 4 * i + 32, wasm_i8x16_swizzle(c, perm));
    wasm_v128_store(dst + 4 * i + 48, wasm_i8x16_swizzle(d, perm));
  }
  for (; i < count; i++)
    for (int k = 0; k < 4; k++) dst[4 * i + k] = src[k * count + i];
}

void tx_shuffle8(const uint8_t *src, uint8_t *dst, size_t count) {
  const v128_t perm = wasm_i8x16_const(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
  size_t i = 0;
  v128_t r[8];
  for (; i + 16 <= count; i += 16) {
    for (int j = 0; j < 8; j++) r[j] = wasm_i8x16_swizzle(wasm_v128_load(src + 8 * i + 16 * j), perm);
    transpose_8x16(r);
    for (int k = 0; k < 8; k++) wasm_v128_store(dst + k * count + i, r[k]);
  }
  for (; i < count; i++)
    for (int k = 0; k < 8; k++) dst[k * count + i] = src[8 * i + k];
}

void tx_unshuffle8(const uint8_t *src, uint8_t *dst, size_t count) {
  const v128_t perm = wasm_i8x16_const(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
  size_t i = 0;
  v128_t r[8];
  for (; i + 16 <= count; i += 16) {
    for (int k = 0; k < 8; k++) r[k] = wasm_v128_load(src + k * count + i);
    transpose_8x16(r);
    for (int j = 0; j < 8; j++) wasm_v128_store(dst + 8 * i + 16 * j, wasm_i8x16_swizzle(r[j], perm));
  }
  for (; i < count; i++)
    for (int k = 0; k < 8; k++) dst[8 * i + k] = src[k * count + i];
}
