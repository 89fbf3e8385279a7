// memcpy/memmove/memset as WebAssembly bulk-memory instructions (clang lowers these
// builtins to memory.copy / memory.fill with -mbulk-memory), replacing wasi-libc's byte loops.
#include <stddef.h>
void *memcpy(void *restrict d, const void *restrict s, size_t n) { __builtin_memcpy(d, s, n); return d; }
void *memmove(void *d, const void *s, size_t n) { __builtin_memmove(d, s, n); return d; }
void *memset(void *d, int c, size_t n) { __builtin_memset(d, c, n); return d; }
