// Thin glue over the reference LZ4 frame library (lz4frame.c), compiled to WebAssembly
// by build.sh. It only sets frame preferences and drives the LZ4F_* loops with bounds;
// all compression logic is upstream's.
#include <stddef.h>
#include <stdint.h>
#include "lz4.h"
#include "lz4frame.h"

static void prefs(LZ4F_preferences_t* p, int level, unsigned long long contentSize) {
  LZ4F_preferences_t init = LZ4F_INIT_PREFERENCES;
  *p = init;
  p->compressionLevel = level;
  p->frameInfo.blockSizeID = LZ4F_max64KB;
  p->frameInfo.blockMode = LZ4F_blockLinked;
  p->frameInfo.contentSize = contentSize; // 0 = not stored
}

LZ4F_cctx* tx_lz4_cctx_create(void) {
  LZ4F_cctx* c = NULL;
  if (LZ4F_isError(LZ4F_createCompressionContext(&c, LZ4F_VERSION))) return NULL;
  return c;
}
void tx_lz4_cctx_free(LZ4F_cctx* c) { LZ4F_freeCompressionContext(c); }

LZ4F_dctx* tx_lz4_dctx_create(void) {
  LZ4F_dctx* d = NULL;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) return NULL;
  return d;
}
void tx_lz4_dctx_free(LZ4F_dctx* d) { LZ4F_freeDecompressionContext(d); }

size_t tx_lz4_frame_bound(size_t n, int level) {
  LZ4F_preferences_t p;
  prefs(&p, level, n);
  return LZ4F_compressFrameBound(n, &p);
}

// One whole frame (content size recorded). Returns the frame size or an LZ4F error code.
size_t tx_lz4_compress(LZ4F_cctx* c, void* dst, size_t cap, const void* src, size_t n, int level) {
  LZ4F_preferences_t p;
  prefs(&p, level, n);
  return LZ4F_compressFrame_usingCDict(c, dst, cap, src, n, NULL, &p);
}

// Streaming compression: begin writes the header (no content size), update/end the blocks.
size_t tx_lz4_begin(LZ4F_cctx* c, void* dst, size_t cap, int level) {
  LZ4F_preferences_t p;
  prefs(&p, level, 0);
  return LZ4F_compressBegin(c, dst, cap, &p);
}
size_t tx_lz4_update_bound(size_t n, int level) {
  LZ4F_preferences_t p;
  prefs(&p, level, 0);
  return LZ4F_compressBound(n, &p);
}
size_t tx_lz4_update(LZ4F_cctx* c, void* dst, size_t cap, const void* src, size_t n) {
  return LZ4F_compressUpdate(c, dst, cap, src, n, NULL);
}
size_t tx_lz4_end(LZ4F_cctx* c, void* dst, size_t cap) { return LZ4F_compressEnd(c, dst, cap, NULL); }

// Decompression step: consumes from src and writes to dst. io[0] = src bytes consumed,
// io[1] = dst bytes written (in: capacity). Returns LZ4F_decompress's hint (0 = a frame
// ended) or an error code.
size_t tx_lz4_decompress(LZ4F_dctx* d, void* dst, const void* src, size_t* io) {
  size_t srcSize = io[0];
  size_t dstSize = io[1];
  size_t r = LZ4F_decompress(d, dst, &dstSize, src, &srcSize, NULL);
  io[0] = srcSize;
  io[1] = dstSize;
  return r;
}
void tx_lz4_dctx_reset(LZ4F_dctx* d) { LZ4F_resetDecompressionContext(d); }

unsigned tx_lz4_is_error(size_t code) { return LZ4F_isError(code); }
const char* tx_lz4_error_name(size_t code) { return LZ4F_getErrorName(code); }
unsigned tx_lz4_version(void) { return LZ4_versionNumber(); }
