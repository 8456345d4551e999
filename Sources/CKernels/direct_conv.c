#include "CKernels.h"

#include "multiversion.h"

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

/* dst[j] = acc[j] (+ bias[j]), clamped to [lower, upper] (the fused activation; NaN passes through). */
static inline void store_block(float *restrict dst, const float *restrict acc, const float *restrict bias, float lower, float upper) {
    for (int j = 0; j < LANES; j++) {
        float v = acc[j] + (bias ? bias[j] : 0.0f);
        v = v < lower ? lower : v;
        dst[j] = v > upper ? upper : v;
    }
}

/* Output pixels per block: 8 when the filters come in 32s (8 × 2 accumulators), else 16 (16 × 1). */
static long block_pixels(long filters) { return filters % (2 * LANES) == 0 ? PIXELS : 2 * PIXELS; }

/* Geometry of the zero-padded copy of one image that the direct convolution reads: every output
   pixel, rounded up to whole blocks along a row, has its full window inside it. */
static void padded_extent(const tg_window *g, long filters, long *rows, long *columns) {
    const long block = block_pixels(filters), blocks = (g->out_width + block - 1) / block;
    *rows = (g->out_height - 1) * g->stride_y + g->kernel_height;
    *columns = (blocks * block - 1) * g->stride_x + g->kernel_width;
}

long tg_conv2d_direct_scratch(const tg_window *g, long filters) {
    long rows, columns;
    padded_extent(g, filters, &rows, &columns);
    return rows * columns * g->channels + 2 * PIXELS * filters;
}

/* Zero-padded, channel-planar copy of image n ([row][channel][column]) covering every window of g. */
static inline __attribute__((always_inline)) void pad_planar(const float *restrict image, const tg_window *g, long PH, long PW, float *restrict padded) {
    const long H = g->height, W = g->width, C = g->channels;
    for (long py = 0; py < PH; py++) {
        float *dst = padded + py * C * PW;
        const long iy = py - g->pad_top;
        for (long i = 0; i < C * PW; i++) dst[i] = 0.0f;
        if (iy < 0 || iy >= H) continue;
        const long count = min_l(W, PW - g->pad_left);
        for (long ix = 0; ix < count; ix++)
            for (long c = 0; c < C; c++) dst[c * PW + g->pad_left + ix] = image[(iy * W + ix) * C + c];
    }
}

/* One block of output pixels for channels [f0, f0 + 32): 8 pixels × 2 accumulators. The padded image is
   stored channel-planar per row ([row][channel][column]), so the 8 inputs of one tap are STEP apart. */
#define BLOCK32(STEP)                                                                                       \
    do {                                                                                                    \
        v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};                 \
        v16 b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0}, b4 = {0}, b5 = {0}, b6 = {0}, b7 = {0};                 \
        for (long ky = 0; ky < KH; ky++) {                                                                  \
            for (long kx = 0; kx < KW; kx++) {                                                              \
                const float *q = window + ky * C * PW + kx;                                                 \
                const float *w = filter + (ky * KW + kx) * C * F + f0;                                      \
                for (long c = 0; c < C; c++, q += PW, w += F) {                                              \
                    const v16 wa = load16(w), wb = load16(w + LANES);                                       \
                    float v;                                                                                \
                    v = q[0];           a0 += v * wa; b0 += v * wb;                                         \
                    v = q[1 * (STEP)];  a1 += v * wa; b1 += v * wb;                                         \
                    v = q[2 * (STEP)];  a2 += v * wa; b2 += v * wb;                                         \
                    v = q[3 * (STEP)];  a3 += v * wa; b3 += v * wb;                                         \
                    v = q[4 * (STEP)];  a4 += v * wa; b4 += v * wb;                                         \
                    v = q[5 * (STEP)];  a5 += v * wa; b5 += v * wb;                                         \
                    v = q[6 * (STEP)];  a6 += v * wa; b6 += v * wb;                                         \
                    v = q[7 * (STEP)];  a7 += v * wa; b7 += v * wb;                                         \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
        const v16 as[PIXELS] = {a0, a1, a2, a3, a4, a5, a6, a7}, bs[PIXELS] = {b0, b1, b2, b3, b4, b5, b6, b7}; \
        for (int p = 0; p < PIXELS; p++) {                                                                  \
            store_block(dst + p * F + f0, (const float *)&as[p], bias ? bias + f0 : 0, lower, upper);               \
            store_block(dst + p * F + f0 + LANES, (const float *)&bs[p], bias ? bias + f0 + LANES : 0, lower, upper); \
        }                                                                                                   \
    } while (0)

/* 16 output pixels × channels [f0, f0 + 16), one accumulator each. */
#define BLOCK16(STEP)                                                                                       \
    do {                                                                                                    \
        v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0}, a8 = {0}, a9 = {0}, a10 = {0}, a11 = {0}, a12 = {0}, a13 = {0}, a14 = {0}, a15 = {0};                                                                                         \
        for (long ky = 0; ky < KH; ky++) {                                                                  \
            for (long kx = 0; kx < KW; kx++) {                                                              \
                const float *q = window + ky * C * PW + kx;                                                 \
                const float *w = filter + (ky * KW + kx) * C * F + f0;                                      \
                for (long c = 0; c < C; c++, q += PW, w += F) {                                              \
                    const v16 wa = load16(w);                                                               \
                    a0 += q[0 * (STEP)] * wa; a1 += q[1 * (STEP)] * wa; a2 += q[2 * (STEP)] * wa; a3 += q[3 * (STEP)] * wa; a4 += q[4 * (STEP)] * wa; a5 += q[5 * (STEP)] * wa; a6 += q[6 * (STEP)] * wa; a7 += q[7 * (STEP)] * wa; a8 += q[8 * (STEP)] * wa; a9 += q[9 * (STEP)] * wa; a10 += q[10 * (STEP)] * wa; a11 += q[11 * (STEP)] * wa; a12 += q[12 * (STEP)] * wa; a13 += q[13 * (STEP)] * wa; a14 += q[14 * (STEP)] * wa; a15 += q[15 * (STEP)] * wa;                                                                                  \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
        const v16 as[2 * PIXELS] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15};                                                                 \
        for (int p = 0; p < 2 * PIXELS; p++)                                                                \
            store_block(dst + p * F + f0, (const float *)&as[p], bias ? bias + f0 : 0, lower, upper);               \
    } while (0)

TG_BODY void tg_conv2d_direct_f32_impl(const float *restrict x, const float *restrict filter, long filters, const tg_window *g,
                          long first_image, long end_image, long first_row, long end_row,
                          const float *restrict bias, float lower, float upper, float *restrict out, float *restrict scratch) {
    const long H = g->height, W = g->width, C = g->channels, KH = g->kernel_height, KW = g->kernel_width;
    const long OH = g->out_height, OW = g->out_width, sy = g->stride_y, sx = g->stride_x;
    const long F = filters;
    long PH, PW;
    padded_extent(g, F, &PH, &PW);
    const long block = block_pixels(F);
    float *restrict padded = scratch;
    float *restrict spill = scratch + PH * PW * C; /* a last, partial block of a row */
    for (long n = first_image; n < end_image; n++) {
        /* Zero-padded, channel-planar copy: windows near the border need no bounds checks, and the
           inputs of neighbouring output pixels for one tap are adjacent (stride 1). */
        pad_planar(x + n * H * W * C, g, PH, PW, padded);
        for (long oy = max_l(first_row, 0); oy < min_l(end_row, OH); oy++) {
            float *out_row = out + ((n * OH + oy) * OW) * F;
            for (long ox = 0; ox < OW; ox += block) {
                const int whole = ox + block <= OW;
                float *dst = whole ? out_row + ox * F : spill;
                const float *window = padded + oy * sy * C * PW + ox * sx;
                long f0 = 0;
                if (block == PIXELS) {
                    for (; f0 + 2 * LANES <= F; f0 += 2 * LANES) {
                        if (sx == 1) BLOCK32(1); else BLOCK32(sx);
                    }
                } else {
                    for (; f0 < F; f0 += LANES) {
                        if (sx == 1) BLOCK16(1); else BLOCK16(sx);
                    }
                }
                if (!whole)
                    for (long i = 0; i < (OW - ox) * F; i++) out_row[ox * F + i] = spill[i];
            }
        }
    }
}
TG_DISPATCH(tg_conv2d_direct_f32, (const float *restrict x, const float *restrict filter, long filters, const tg_window *g, long first_image, long end_image, long first_row, long end_row, const float *restrict bias, float lower, float upper, float *restrict out, float *restrict scratch),
            (x, filter, filters, g, first_image, end_image, first_row, end_row, bias, lower, upper, out, scratch))

TG_BODY void tg_conv2d_filter_grad_c1_f32_impl(const float *restrict x, const float *restrict dy, long filters, const tg_window *g,
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
TG_DISPATCH(tg_conv2d_filter_grad_c1_f32, (const float *restrict x, const float *restrict dy, long filters, const tg_window *g, long first_image, long end_image, float *restrict dw),
            (x, dy, filters, g, first_image, end_image, dw))

long tg_conv2d_filter_grad_scratch(const tg_window *g) {
    const long PH = (g->out_height - 1) * g->stride_y + g->kernel_height;
    const long PW = (g->out_width - 1) * g->stride_x + g->kernel_width;
    return PH * PW * g->channels;
}

/* Single-channel 5x5 filter gradient: all 25 taps of a 16-filter block accumulate in registers while
   one pass runs over the output pixels (one dy load, 25 broadcast FMAs per pixel). */
#define FILTER_GRAD_C1_5X5(SX)                                                                              \
    for (long f0 = 0; f0 < F; f0 += LANES) {                                                               \
        v16 t0 = {0}, t1 = {0}, t2 = {0}, t3 = {0}, t4 = {0}, t5 = {0}, t6 = {0}, t7 = {0}, t8 = {0}, t9 = {0}, t10 = {0}, t11 = {0}, t12 = {0}, t13 = {0}, t14 = {0}, t15 = {0}, t16 = {0}, t17 = {0}, t18 = {0}, t19 = {0}, t20 = {0}, t21 = {0}, t22 = {0}, t23 = {0}, t24 = {0};                                                                                     \
        for (long oy = 0; oy < OH; oy++) {                                                                 \
            const float *q = padded + oy * sy * PW;                                                         \
             const float *r0 = q + 0 * PW; const float *r1 = q + 1 * PW; const float *r2 = q + 2 * PW; const float *r3 = q + 3 * PW; const float *r4 = q + 4 * PW;                                                                                          \
            const float *drow = d_image + oy * OW * F + f0;                                                 \
            for (long ox = 0; ox < OW; ox++, r0 += (SX), r1 += (SX), r2 += (SX), r3 += (SX), r4 += (SX)) {  \
                const v16 d = load16(drow + ox * F);                                                        \
                t0 += r0[0 * (SX)] * d; t1 += r0[1 * (SX)] * d; t2 += r0[2 * (SX)] * d; t3 += r0[3 * (SX)] * d; t4 += r0[4 * (SX)] * d; t5 += r1[0 * (SX)] * d; t6 += r1[1 * (SX)] * d; t7 += r1[2 * (SX)] * d; t8 += r1[3 * (SX)] * d; t9 += r1[4 * (SX)] * d; t10 += r2[0 * (SX)] * d; t11 += r2[1 * (SX)] * d; t12 += r2[2 * (SX)] * d; t13 += r2[3 * (SX)] * d; t14 += r2[4 * (SX)] * d; t15 += r3[0 * (SX)] * d; t16 += r3[1 * (SX)] * d; t17 += r3[2 * (SX)] * d; t18 += r3[3 * (SX)] * d; t19 += r3[4 * (SX)] * d; t20 += r4[0 * (SX)] * d; t21 += r4[1 * (SX)] * d; t22 += r4[2 * (SX)] * d; t23 += r4[3 * (SX)] * d; t24 += r4[4 * (SX)] * d;                                                                                      \
            }                                                                                              \
        }                                                                                                  \
        { const float *l = (const float *)&t0; float *w = dw + 0 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t1; float *w = dw + 1 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t2; float *w = dw + 2 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t3; float *w = dw + 3 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t4; float *w = dw + 4 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t5; float *w = dw + 5 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t6; float *w = dw + 6 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t7; float *w = dw + 7 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t8; float *w = dw + 8 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t9; float *w = dw + 9 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t10; float *w = dw + 10 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t11; float *w = dw + 11 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t12; float *w = dw + 12 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t13; float *w = dw + 13 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t14; float *w = dw + 14 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t15; float *w = dw + 15 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t16; float *w = dw + 16 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t17; float *w = dw + 17 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t18; float *w = dw + 18 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t19; float *w = dw + 19 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t20; float *w = dw + 20 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t21; float *w = dw + 21 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t22; float *w = dw + 22 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t23; float *w = dw + 23 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; } { const float *l = (const float *)&t24; float *w = dw + 24 * F + f0; for (int j = 0; j < LANES; j++) w[j] += l[j]; }                                                                                            \
    }

static inline __attribute__((always_inline)) void filter_grad_c1_5x5(const float *restrict padded, long PW, const float *restrict d_image, long OH, long OW,
                               long sy, long sx, long F, float *restrict dw) {
    if (sx == 1) { FILTER_GRAD_C1_5X5(1) } else { FILTER_GRAD_C1_5X5(sx) }
}

TG_BODY void tg_conv2d_filter_grad_f32_impl(const float *restrict x, const float *restrict dy, long filters, const tg_window *g,
                               long first_image, long end_image, float *restrict dw, float *restrict scratch) {
    const long C = g->channels, KH = g->kernel_height, KW = g->kernel_width;
    const long OH = g->out_height, OW = g->out_width, sy = g->stride_y, sx = g->stride_x, F = filters;
    const long PH = (OH - 1) * sy + KH, PW = (OW - 1) * sx + KW;
    for (long i = 0; i < KH * KW * C * F; i++) dw[i] = 0.0f;
    for (long n = first_image; n < end_image; n++) {
        pad_planar(x + n * g->height * g->width * C, g, PH, PW, scratch);
        const float *d_image = dy + n * OH * OW * F;
        if (C == 1 && KH == 5 && KW == 5 && F % LANES == 0) {
            filter_grad_c1_5x5(scratch, PW, d_image, OH, OW, sy, sx, F, dw);
            continue;
        }
        for (long ky = 0; ky < KH; ky++) {
            for (long kx = 0; kx < KW; kx++) {
                if (F % (2 * LANES) == 0) {
                    /* 8 channels × 32 filters: 16 accumulators; per pixel 2 loads of dy, 8 broadcasts of x. */
                    for (long c0 = 0; c0 < C; c0 += 8) {
                        for (long f0 = 0; f0 < F; f0 += 2 * LANES) {
                            v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};
                            v16 b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0}, b4 = {0}, b5 = {0}, b6 = {0}, b7 = {0};
                            for (long oy = 0; oy < OH; oy++) {
                                const float *q = scratch + ((oy * sy + ky) * C + c0) * PW + kx;
                                const float *d = d_image + oy * OW * F + f0;
                                for (long ox = 0; ox < OW; ox++, q += sx, d += F) {
                                    const v16 da = load16(d), db = load16(d + LANES);
                                    float v;
                                    v = q[0];      a0 += v * da; b0 += v * db;
                                    v = q[PW];     a1 += v * da; b1 += v * db;
                                    v = q[2 * PW]; a2 += v * da; b2 += v * db;
                                    v = q[3 * PW]; a3 += v * da; b3 += v * db;
                                    v = q[4 * PW]; a4 += v * da; b4 += v * db;
                                    v = q[5 * PW]; a5 += v * da; b5 += v * db;
                                    v = q[6 * PW]; a6 += v * da; b6 += v * db;
                                    v = q[7 * PW]; a7 += v * da; b7 += v * db;
                                }
                            }
                            const v16 as[8] = {a0, a1, a2, a3, a4, a5, a6, a7}, bs[8] = {b0, b1, b2, b3, b4, b5, b6, b7};
                            for (int k = 0; k < 8; k++) {
                                float *w = dw + ((ky * KW + kx) * C + c0 + k) * F + f0;
                                const float *la = (const float *)&as[k], *lb = (const float *)&bs[k];
                                for (int j = 0; j < LANES; j++) { w[j] += la[j]; w[LANES + j] += lb[j]; }
                            }
                        }
                    }
                } else {
                    /* 16 channels × 16 filters: 16 accumulators; per pixel 1 load of dy, 16 broadcasts of x. */
                    for (long c0 = 0; c0 < C; c0 += 16) {
                        for (long f0 = 0; f0 < F; f0 += LANES) {
                            v16 acc[16];
                            for (int k = 0; k < 16; k++) acc[k] = (v16){0};
                            for (long oy = 0; oy < OH; oy++) {
                                const float *q = scratch + ((oy * sy + ky) * C + c0) * PW + kx;
                                const float *d = d_image + oy * OW * F + f0;
                                for (long ox = 0; ox < OW; ox++, q += sx, d += F) {
                                    const v16 da = load16(d);
#pragma clang loop unroll(full)
                                    for (int k = 0; k < 16; k++) acc[k] += q[k * PW] * da;
                                }
                            }
                            for (int k = 0; k < 16; k++) {
                                float *w = dw + ((ky * KW + kx) * C + c0 + k) * F + f0;
                                const float *l = (const float *)&acc[k];
                                for (int j = 0; j < LANES; j++) w[j] += l[j];
                            }
                        }
                    }
                }
            }
        }
    }
}
TG_DISPATCH(tg_conv2d_filter_grad_f32, (const float *restrict x, const float *restrict dy, long filters, const tg_window *g, long first_image, long end_image, float *restrict dw, float *restrict scratch),
            (x, dy, filters, g, first_image, end_image, dw, scratch))
