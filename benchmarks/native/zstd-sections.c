// Native counterpart of the WebAssembly zstd codec for benchmarks/zstd-same-params.bench.mjs:
// compresses the sections of one snapshot write with exactly the calls and parameters the
// codec makes (reset, level, the block size of blockSize 'auto'), so that both sides do the
// same work and write the same bytes. Built by the benchmark from zstd's upstream sources.
//
// Input file: u32 count, then count x (u32 length, u32 max block size or 0), then the bytes.
// Output (stdout, one line of JSON): per-pass times in ms (median, min), total output bytes
// and an FNV-1a hash of every frame, which the benchmark compares with the WebAssembly side.
#define ZSTD_STATIC_LINKING_ONLY
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "zstd.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static uint32_t read_u32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: zstd-sections <sections file> <level> <passes>\n");
    return 2;
  }
  int level = atoi(argv[2]), passes = atoi(argv[3]);
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *file = malloc(size);
  if (fread(file, 1, size, f) != (size_t)size) return 2;
  fclose(f);
  uint32_t count = read_u32(file);
  const unsigned char *data = file + 4 + 8 * count;
  size_t capacity = 0;
  for (uint32_t i = 0; i < count; i++) capacity += ZSTD_compressBound(read_u32(file + 4 + 8 * i));
  unsigned char *out = malloc(capacity);
  ZSTD_CCtx *cctx = ZSTD_createCCtx();
  double *times = malloc(sizeof(double) * passes);
  size_t written = 0;
  int warmup = passes / 5;
  for (int pass = -warmup; pass < passes; pass++) {
    double start = now_ms();
    const unsigned char *src = data;
    written = 0;
    for (uint32_t i = 0; i < count; i++) {
      uint32_t length = read_u32(file + 4 + 8 * i), block = read_u32(file + 8 + 8 * i);
      ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
      if (block != 0) ZSTD_CCtx_setParameter(cctx, ZSTD_c_maxBlockSize, (int)block);
      size_t r = ZSTD_compress2(cctx, out + written, capacity - written, src, length);
      if (ZSTD_isError(r)) {
        fprintf(stderr, "zstd: %s\n", ZSTD_getErrorName(r));
        return 1;
      }
      written += r;
      src += length;
    }
    if (pass >= 0) times[pass] = now_ms() - start;
  }
  uint32_t hash = 2166136261u;
  for (size_t i = 0; i < written; i++) hash = (hash ^ out[i]) * 16777619u;
  qsort(times, passes, sizeof(double), by_value);
  printf("{\"median\":%.6f,\"min\":%.6f,\"bytes\":%zu,\"fnv\":%u,\"version\":\"%s\"}\n", times[passes / 2], times[0], written, hash, ZSTD_versionString());
  return 0;
}
