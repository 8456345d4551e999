#include "CKernels.h"
#include <math.h>

#include "multiversion.h"

/* sqrtf may set errno, which stops vectorization; the elementwise builtin has no side effects. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
#define TG_SQRT(x) __builtin_elementwise_sqrt(x)
#endif
#endif
#ifndef TG_SQRT
#define TG_SQRT(x) sqrtf(x)
#endif

TG_MULTIVERSION
void tg_adam_f32(float *restrict w, float *restrict m, float *restrict v, const float *restrict g, size_t begin, size_t end,
                 float rate, float beta1, float beta2, float epsilon) {
    const float a = 1.0f - beta1, b = 1.0f - beta2;
    for (size_t i = begin; i < end; i++) {
        float gi = g[i];
        float mi = m[i] + (gi - m[i]) * a;
        float vi = v[i] + (gi * gi - v[i]) * b;
        m[i] = mi;
        v[i] = vi;
        w[i] -= rate * mi / (TG_SQRT(vi) + epsilon);
    }
}

/* The instruction set the loader picked for the multiversioned loops above: the same order of
   preference as TG_MULTIVERSION (AVX-512F, then AVX2 with FMA, then the baseline). */
const char *tg_kernels_isa(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "avx512f";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2+fma";
    return "x86-64 baseline";
#else
    return "portable C";
#endif
}
