#include "MallocCounter.h"
#include <stdatomic.h>
#include <stddef.h>
#include <errno.h>

/* glibc's own entry points, so the wrappers need no dlsym (which itself allocates). */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic long allocations;

/* Under AddressSanitizer or ThreadSanitizer (Tools/sanitize.sh) the sanitizer owns malloc: wrappers
   defined here would run before its allocator is set up (ASan aborts at start-up: "CHECK failed:
   asan_posix.cpp tsd_key_inited"). There the count stays 0 and the allocation tests, which are
   skipped in such builds anyway, measure nothing. */
#if defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define TG_SANITIZED 1
#  endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define TG_SANITIZED 1
#endif

long tg_malloc_count(void) { return atomic_load(&allocations); }

#ifndef TG_SANITIZED

void *malloc(size_t size) { atomic_fetch_add(&allocations, 1); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    atomic_fetch_add(&allocations, 1);
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
#endif
