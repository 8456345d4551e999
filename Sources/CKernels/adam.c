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

TG_BODY void tg_adam_f32_impl(float *restrict w, float *restrict m, float *restrict v, const float *restrict g, size_t begin, size_t end,
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
TG_DISPATCH(tg_adam_f32, (float *restrict w, float *restrict m, float *restrict v, const float *restrict g, size_t begin, size_t end, float rate, float beta1, float beta2, float epsilon),
            (w, m, v, g, begin, end, rate, beta1, beta2, epsilon))
