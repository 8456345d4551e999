#include "CKernels.h"
#include <string.h>

#include "multiversion.h"

TG_BODY void tg_im2col_f32_impl(const float *restrict x, const tg_window *g, float *restrict cols) {
    const long c = g->channels, run = g->kernel_width * c, row_length = g->kernel_height * run;
    float *dst_row = cols;
    for (long n = 0; n < g->batch; n++) {
        const float *image = x + n * g->height * g->width * c;
        for (long oy = 0; oy < g->out_height; oy++) {
            for (long ox = 0; ox < g->out_width; ox++) {
                float *dst = dst_row;
                const long ix0 = ox * g->stride_x - g->pad_left;
                const int inside = ix0 >= 0 && ix0 + g->kernel_width <= g->width;
                for (long ky = 0; ky < g->kernel_height; ky++) {
                    const long iy = oy * g->stride_y + ky - g->pad_top;
                    if (iy < 0 || iy >= g->height) {
                        memset(dst, 0, (size_t)run * sizeof(float));
                    } else if (inside) {
                        memcpy(dst, image + (iy * g->width + ix0) * c, (size_t)run * sizeof(float));
                    } else {
                        for (long kx = 0; kx < g->kernel_width; kx++) {
                            const long ix = ix0 + kx;
                            if (ix >= 0 && ix < g->width) {
                                memcpy(dst + kx * c, image + (iy * g->width + ix) * c, (size_t)c * sizeof(float));
                            } else {
                                memset(dst + kx * c, 0, (size_t)c * sizeof(float));
                            }
                        }
                    }
                    dst += run;
                }
                dst_row += row_length;
            }
        }
    }
}
TG_DISPATCH(tg_im2col_f32, (const float *restrict x, const tg_window *g, float *restrict cols),
            (x, g, cols))

TG_BODY void tg_col2im_f32_impl(const float *restrict cols, const tg_window *g, float *restrict dx) {
    const long c = g->channels, run = g->kernel_width * c, row_length = g->kernel_height * run;
    memset(dx, 0, (size_t)(g->batch * g->height * g->width * c) * sizeof(float));
    const float *src_row = cols;
    for (long n = 0; n < g->batch; n++) {
        float *image = dx + n * g->height * g->width * c;
        for (long oy = 0; oy < g->out_height; oy++) {
            for (long ox = 0; ox < g->out_width; ox++) {
                const float *src = src_row;
                const long ix0 = ox * g->stride_x - g->pad_left;
                const int inside = ix0 >= 0 && ix0 + g->kernel_width <= g->width;
                for (long ky = 0; ky < g->kernel_height; ky++) {
                    const long iy = oy * g->stride_y + ky - g->pad_top;
                    if (iy >= 0 && iy < g->height) {
                        if (inside) {
                            float *target = image + (iy * g->width + ix0) * c;
                            for (long j = 0; j < run; j++) target[j] += src[j];
                        } else {
                            for (long kx = 0; kx < g->kernel_width; kx++) {
                                const long ix = ix0 + kx;
                                if (ix < 0 || ix >= g->width) continue;
                                float *target = image + (iy * g->width + ix) * c;
                                const float *s = src + kx * c;
                                for (long j = 0; j < c; j++) target[j] += s[j];
                            }
                        }
                    }
                    src += run;
                }
                src_row += row_length;
            }
        }
    }
}
TG_DISPATCH(tg_col2im_f32, (const float *restrict cols, const tg_window *g, float *restrict dx),
            (cols, g, dx))
