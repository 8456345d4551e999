#include "CKernels.h"

#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define TG_MULTIVERSION __attribute__((target_clones("avx512f", "avx2,fma", "default")))
#endif
#endif
#ifndef TG_MULTIVERSION
#define TG_MULTIVERSION
#endif

/* Output pixels computed together: independent accumulator chains hide the FMA latency. */
#define PIXELS 8
/* Output channels per accumulator block (one AVX-512 register of floats). */
#define LANES 16

static inline long max_l(long a, long b) { return a > b ? a : b; }
static inline long min_l(long a, long b) { return a < b ? a : b; }
/* Number of o >= 0 with o * s <= limit (0 when limit < 0). */
static inline long count_upto(long limit, long s) { return limit < 0 ? 0 : limit / s + 1; }

/* 16 floats as one value: a zmm register with AVX-512, two ymm or four xmm registers otherwise. */
typedef float v16 __attribute__((vector_size(64)));
/* Unaligned load (a macro: passing vectors to functions would depend on the clone's ABI). */
#define load16(p) (*(const v16_unaligned *)(p))
typedef float v16_unaligned __attribute__((vector_size(64), aligned(4)));

/* dst[j] = acc[j] (+ bias[j]), then max(., 0) when relu. */
static inline void store_block(float *restrict dst, const float *restrict acc, const float *restrict bias, int relu) {
    for (int j = 0; j < LANES; j++) {
        float v = acc[j] + (bias ? bias[j] : 0.0f);
        dst[j] = relu && v < 0.0f ? 0.0f : v;
    }
}

TG_MULTIVERSION
void tg_conv2d_direct_f32(const float *restrict x, const float *restrict filter, long filters, const tg_window *g,
                          long first_image, long end_image, const float *restrict bias, int relu, float *restrict out) {
    const long H = g->height, W = g->width, C = g->channels, KH = g->kernel_height, KW = g->kernel_width;
    const long OH = g->out_height, OW = g->out_width, sy = g->stride_y, sx = g->stride_x;
    const long F = filters;
    for (long n = first_image; n < end_image; n++) {
        const float *image = x + n * H * W * C;
        for (long oy = 0; oy < OH; oy++) {
            const long y0 = oy * sy - g->pad_top;
            const long ky0 = max_l(0, -y0), ky1 = min_l(KH, H - y0);
            float *out_row = out + ((n * OH + oy) * OW) * F;
            long ox = 0;
            while (ox < OW) {
                const long x0 = ox * sx - g->pad_left;
                if (ox + PIXELS <= OW && x0 >= 0 && (ox + PIXELS - 1) * sx - g->pad_left + KW <= W) {
                    /* PIXELS output pixels whose windows lie inside the image horizontally. */
                    const long step = sx * C;
                    for (long f0 = 0; f0 < F; f0 += LANES) {
                        v16 acc[PIXELS];
#pragma clang loop unroll(full)
                        for (int p = 0; p < PIXELS; p++) acc[p] = (v16){0};
                        for (long ky = ky0; ky < ky1; ky++) {
                            const float *row = image + (y0 + ky) * W * C;
                            for (long kx = 0; kx < KW; kx++) {
                                const float *px = row + (x0 + kx) * C;
                                const float *w = filter + (ky * KW + kx) * C * F + f0;
                                for (long c = 0; c < C; c++) {
                                    const v16 wc = load16(w + c * F);
#pragma clang loop unroll(full)
                                    for (int p = 0; p < PIXELS; p++) acc[p] += px[p * step + c] * wc;
                                }
                            }
                        }
                        for (int p = 0; p < PIXELS; p++)
                            store_block(out_row + (ox + p) * F + f0, (const float *)&acc[p], bias ? bias + f0 : 0, relu);
                    }
                    ox += PIXELS;
                } else {
                    /* One pixel near the border: only the taps inside the image. */
                    const long kx0 = max_l(0, -x0), kx1 = min_l(KW, W - x0);
                    for (long f0 = 0; f0 < F; f0 += LANES) {
                        v16 acc = (v16){0};
                        for (long ky = ky0; ky < ky1; ky++) {
                            for (long kx = kx0; kx < kx1; kx++) {
                                const float *px = image + ((y0 + ky) * W + x0 + kx) * C;
                                const float *w = filter + (ky * KW + kx) * C * F + f0;
                                for (long c = 0; c < C; c++) acc += px[c] * load16(w + c * F);
                            }
                        }
                        store_block(out_row + ox * F + f0, (const float *)&acc, bias ? bias + f0 : 0, relu);
                    }
                    ox += 1;
                }
            }
        }
    }
}

TG_MULTIVERSION
void tg_conv2d_filter_grad_c1_f32(const float *restrict x, const float *restrict dy, long filters, const tg_window *g,
                                  long first_image, long end_image, float *restrict dw) {
    const long H = g->height, W = g->width, KH = g->kernel_height, KW = g->kernel_width;
    const long OH = g->out_height, OW = g->out_width, sy = g->stride_y, sx = g->stride_x;
    const long F = filters;
    for (long i = 0; i < KH * KW * F; i++) dw[i] = 0.0f;
    /* Image by image, so the image and its dy (a few tens of KB) stay in cache across the taps. */
    for (long n = first_image; n < end_image; n++) {
        const float *image = x + n * H * W;
        for (long ky = 0; ky < KH; ky++) {
            /* Output rows whose window row ky is inside the image: 0 <= oy*sy - pad_top + ky < H. */
            const long oy0 = max_l(0, (g->pad_top - ky + sy - 1) / sy);
            const long oy1 = min_l(OH, count_upto(H - 1 + g->pad_top - ky, sy));
            for (long kx = 0; kx < KW; kx++) {
                const long ox0 = max_l(0, (g->pad_left - kx + sx - 1) / sx);
                const long ox1 = min_l(OW, count_upto(W - 1 + g->pad_left - kx, sx));
                for (long f0 = 0; f0 < F; f0 += LANES) {
                    v16 acc[4] = {(v16){0}, (v16){0}, (v16){0}, (v16){0}};
                    for (long oy = oy0; oy < oy1; oy++) {
                        const float *xrow = image + (oy * sy - g->pad_top + ky) * W - g->pad_left + kx;
                        const float *drow = dy + ((n * OH + oy) * OW) * F + f0;
                        long ox = ox0;
                        for (; ox + 4 <= ox1; ox += 4) {
#pragma clang loop unroll(full)
                            for (int p = 0; p < 4; p++) acc[p] += xrow[(ox + p) * sx] * load16(drow + (ox + p) * F);
                        }
                        for (; ox < ox1; ox++) acc[0] += xrow[ox * sx] * load16(drow + ox * F);
                    }
                    const v16 sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
                    float *w = dw + (ky * KW + kx) * F + f0;
                    const float *lanes = (const float *)&sum;
                    for (int j = 0; j < LANES; j++) w[j] += lanes[j];
                }
            }
        }
    }
}
