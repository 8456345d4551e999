#include "CKernels.h"

#include "multiversion.h"

/* The activation is a clamp to [lower, upper] (relu: [0, inf), relu6: [0, 6], none: (-inf, inf)),
   written with comparisons so NaN passes through as in TF. */
TG_BODY void tg_bias_activation_f32_impl(float *restrict rows, long count, long width, const float *restrict bias, float lower, float upper) {
    for (long r = 0; r < count; r++) {
        float *row = rows + r * width;
        for (long j = 0; j < width; j++) {
            float v = row[j] + bias[j];
            v = v < lower ? lower : v;
            row[j] = v > upper ? upper : v;
        }
    }
}
TG_DISPATCH(tg_bias_activation_f32, (float *restrict rows, long count, long width, const float *restrict bias, float lower, float upper),
            (rows, count, width, bias, lower, upper))
