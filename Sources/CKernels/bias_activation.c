#include "CKernels.h"

#include "multiversion.h"

TG_MULTIVERSION
void tg_bias_activation_f32(float *restrict rows, long count, long width, const float *restrict bias, int relu) {
    if (relu) {
        for (long r = 0; r < count; r++) {
            float *row = rows + r * width;
            for (long j = 0; j < width; j++) {
                float v = row[j] + bias[j];
                row[j] = v > 0.0f ? v : 0.0f;
            }
        }
    } else {
        for (long r = 0; r < count; r++) {
            float *row = rows + r * width;
            for (long j = 0; j < width; j++) row[j] += bias[j];
        }
    }
}
