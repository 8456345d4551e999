#include "CKernels.h"

#include "multiversion.h"

TG_BODY void tg_maxpool_2x2_f32_impl(const float *restrict x, long first_image, long end_image, long height, long width, long channels,
                        float *restrict out, int *restrict argmax, long index_image_offset) {
    const long C = channels, OH = height / 2, OW = width / 2, row = width * C;
    const long index_shift = index_image_offset * height * width * C;
    for (long n = first_image; n < end_image; n++) {
        for (long oy = 0; oy < OH; oy++) {
            for (long ox = 0; ox < OW; ox++) {
                const long i00 = ((n * height + 2 * oy) * width + 2 * ox) * C;
                const long o = ((n * OH + oy) * OW + ox) * C;
                const float *p00 = x + i00, *p01 = p00 + C, *p10 = p00 + row, *p11 = p10 + C;
                float *dst = out + o;
                if (argmax) {
                    int *index = argmax + o;
                    const int base = (int)(i00 + index_shift);
                    for (long j = 0; j < C; j++) {
                        /* Scan order (0,0), (0,1), (1,0), (1,1); a later pixel wins only when strictly larger. */
                        float best = p00[j];
                        int at = base + (int)j;
                        if (p01[j] > best) { best = p01[j]; at = base + (int)(C + j); }
                        if (p10[j] > best) { best = p10[j]; at = base + (int)(row + j); }
                        if (p11[j] > best) { best = p11[j]; at = base + (int)(row + C + j); }
                        dst[j] = best;
                        index[j] = at;
                    }
                } else {
                    for (long j = 0; j < C; j++) {
                        float a = p00[j] > p01[j] ? p00[j] : p01[j];
                        float b = p10[j] > p11[j] ? p10[j] : p11[j];
                        dst[j] = b > a ? b : a;
                    }
                }
            }
        }
    }
}
TG_DISPATCH(tg_maxpool_2x2_f32, (const float *restrict x, long first_image, long end_image, long height, long width, long channels, float *restrict out, int *restrict argmax, long index_image_offset),
            (x, first_image, end_image, height, width, channels, out, argmax, index_image_offset))

TG_BODY void tg_maxpool_relu_grad_2x2_f32_impl(const float *restrict grad, const float *restrict pooled, const int *restrict argmax,
                                  long first_image, long end_image, long height, long width, long channels,
                                  float *restrict dx, float *restrict sums) {
    const long C = channels, OH = height / 2, OW = width / 2, row = width * C;
    for (long n = first_image; n < end_image; n++) {
        for (long oy = 0; oy < OH; oy++) {
            for (long ox = 0; ox < OW; ox++) {
                const long i00 = ((n * height + 2 * oy) * width + 2 * ox) * C;
                const long o = ((n * OH + oy) * OW + ox) * C;
                const float *g = grad + o, *p = pooled + o;
                const int *a = argmax + o;
                float *d00 = dx + i00, *d01 = d00 + C, *d10 = d00 + row, *d11 = d10 + C;
                const int base = (int)i00;
                for (long j = 0; j < C; j++) {
                    const float v = p[j] > 0.0f ? g[j] : 0.0f;
                    const int at = a[j] - base - (int)j;
                    d00[j] = at == 0 ? v : 0.0f;
                    d01[j] = at == C ? v : 0.0f;
                    d10[j] = at == row ? v : 0.0f;
                    d11[j] = at == row + C ? v : 0.0f;
                }
                if (sums)
                    for (long j = 0; j < C; j++) sums[j] += p[j] > 0.0f ? g[j] : 0.0f;
            }
        }
    }
}
TG_DISPATCH(tg_maxpool_relu_grad_2x2_f32, (const float *restrict grad, const float *restrict pooled, const int *restrict argmax, long first_image, long end_image, long height, long width, long channels, float *restrict dx, float *restrict sums),
            (grad, pooled, argmax, first_image, end_image, height, width, channels, dx, sums))
