#include "CKernels.h"

#include "multiversion.h"

/* Depthwise forward, multiplier 1: out[n, oy, ox, c] = sum over the valid taps of
   x[n, oy*sy + ky*dy - pad_top, ox*sx + kx*dx - pad_left, c] * filter[ky, kx, c], then + bias[c] and
   clamped to [lower, upper] (the fused epilogue of _FusedDepthwiseConv2dNative). Channels are the
   vector lanes (contiguous in NHWC for x, the filter and the output), so no data is rearranged.
   Interior pixels (every horizontal tap inside the image) go 4 at a time: each filter vector loaded
   serves 4 independent accumulator chains, which hides the FMA latency and halves the loads per FMA.
   Taps are summed in row-major order from zero in every path, so a pixel's value does not depend on
   which path computed it. */

#define LANES 16
#define PIXELS 4

typedef float v16 __attribute__((vector_size(64)));
typedef float v16_unaligned __attribute__((vector_size(64), aligned(4)));
/* Unaligned load and store (macros: passing vectors to functions would depend on the clone's ABI). */
#define load16(p) (*(const v16_unaligned *)(p))
#define store16(p, v) (*(v16_unaligned *)(p) = (v))

typedef int vi16 __attribute__((vector_size(64)));
/* Lane-wise `mask ? a : b` (a comparison's mask: all bits set or clear). */
#define SELECT(mask, a, b) ((v16)(((vi16)(mask) & (vi16)(a)) | (~(vi16)(mask) & (vi16)(b))))
/* acc (+ bias), clamped to [lo, hi] with comparisons, so NaN passes through as in TF's Relu. */
#define EPILOGUE(acc, bias, c, lo, hi)              \
    do {                                            \
        if (bias) acc += load16((bias) + (c));      \
        acc = SELECT(acc < lo, lo, acc);            \
        acc = SELECT(acc > hi, hi, acc);            \
    } while (0)

/* The taps k in [*lo, *hi) of one dimension whose input index o*stride + k*dilation - pad is in [0, size). */
static inline __attribute__((always_inline)) void valid_taps(long o, long stride, long dilation, long pad, long size, long taps,
                                                             long *lo, long *hi) {
    const long base = o * stride - pad;
    if (base >= size) { *lo = *hi = 0; return; }
    *lo = base < 0 ? (dilation - 1 - base) / dilation : 0;
    long h = (size - 1 - base) / dilation + 1;
    if (h > taps) h = taps;
    *hi = h < *lo ? *lo : h;
}

/* One pixel, one channel: the path for C < 16, too few channels to fill a vector. */
static inline __attribute__((always_inline)) float pixel_scalar(const float *restrict x, const float *restrict filter, const tg_depthwise *g,
                                                                long n, long iy0, long ix0, long c, long ky0, long ky1, long kx0, long kx1) {
    const long W = g->width, C = g->channels;
    float acc = 0;
    for (long ky = ky0; ky < ky1; ky++) {
        const float *xr = x + ((n * g->height + iy0 + ky * g->dilation_y) * W + ix0) * C + c;
        const float *fr = filter + ky * g->kernel_width * C + c;
        for (long kx = kx0; kx < kx1; kx++) acc += xr[kx * g->dilation_x * C] * fr[kx * C];
    }
    return acc;
}

/* Every channel of one pixel with clipped taps. With C >= 16, a channel count that is not a multiple of
   16 ends with a vector overlapping the previous one (it recomputes those channels to the same values). */
static inline __attribute__((always_inline)) void border_pixel(const float *restrict x, const float *restrict filter, const tg_depthwise *g,
                                                               long n, long oy, long ox, long ky0, long ky1, const float *restrict bias,
                                                               float lower, float upper, float *restrict out) {
    const long C = g->channels, iy0 = oy * g->stride_y - g->pad_top, ix0 = ox * g->stride_x - g->pad_left;
    long kx0, kx1;
    valid_taps(ox, g->stride_x, g->dilation_x, g->pad_left, g->width, g->kernel_width, &kx0, &kx1);
    float *o = out + ((n * g->out_height + oy) * g->out_width + ox) * C;
    if (C < LANES) {
        for (long c = 0; c < C; c++) {
            float v = pixel_scalar(x, filter, g, n, iy0, ix0, c, ky0, ky1, kx0, kx1);
            if (bias) v += bias[c];
            v = v < lower ? lower : v;
            o[c] = v > upper ? upper : v;
        }
        return;
    }
    const v16 lo = (v16){0} + lower, hi = (v16){0} + upper;
    for (long c = 0; c < C; c += LANES) {
        if (c + LANES > C) c = C - LANES;
        v16 acc = {0};
        for (long ky = ky0; ky < ky1; ky++) {
            const float *xr = x + ((n * g->height + iy0 + ky * g->dilation_y) * g->width + ix0) * C + c;
            const float *fr = filter + ky * g->kernel_width * C + c;
            for (long kx = kx0; kx < kx1; kx++) acc += load16(xr + kx * g->dilation_x * C) * load16(fr + kx * C);
        }
        EPILOGUE(acc, bias, c, lo, hi);
        store16(o + c, acc);
    }
}

TG_BODY void tg_depthwise_forward_f32_impl(const float *restrict x, const float *restrict filter, const tg_depthwise *g,
                                           long first_row, long end_row, const float *restrict bias, float lower, float upper,
                                           float *restrict out) {
    const long C = g->channels, W = g->width, KW = g->kernel_width, sx = g->stride_x, dx = g->dilation_x;
    const v16 lo = (v16){0} + lower, hi = (v16){0} + upper;
    /* Interior columns: ox*sx - pad_left >= 0 and ox*sx - pad_left + (KW-1)*dx <= W - 1. */
    long interior_lo = (g->pad_left + sx - 1) / sx, last = W - 1 - (KW - 1) * dx + g->pad_left;
    long interior_hi = last < 0 ? 0 : last / sx + 1;
    if (interior_hi > g->out_width) interior_hi = g->out_width;
    if (interior_lo > interior_hi) interior_lo = interior_hi;
    const int vectors = C >= LANES;
    for (long row = first_row; row < end_row; row++) {
        const long n = row / g->out_height, oy = row % g->out_height, iy0 = oy * g->stride_y - g->pad_top;
        long ky0, ky1;
        valid_taps(oy, g->stride_y, g->dilation_y, g->pad_top, g->height, g->kernel_height, &ky0, &ky1);
        long ox = 0;
        for (; ox < interior_lo; ox++) border_pixel(x, filter, g, n, oy, ox, ky0, ky1, bias, lower, upper, out);
        for (; vectors && ox + PIXELS <= interior_hi; ox += PIXELS) {
            const long ix0 = ox * sx - g->pad_left;
            float *o = out + (row * g->out_width + ox) * C;
            for (long c = 0; c < C; c += LANES) {
                if (c + LANES > C) c = C - LANES;
                v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
                for (long ky = ky0; ky < ky1; ky++) {
                    const float *xr = x + ((n * g->height + iy0 + ky * g->dilation_y) * W + ix0) * C + c;
                    const float *fr = filter + ky * KW * C + c;
                    for (long kx = 0; kx < KW; kx++) {
                        const v16 f = load16(fr + kx * C);
                        const float *p = xr + kx * dx * C;
                        a0 += load16(p) * f;
                        a1 += load16(p + sx * C) * f;
                        a2 += load16(p + 2 * sx * C) * f;
                        a3 += load16(p + 3 * sx * C) * f;
                    }
                }
                EPILOGUE(a0, bias, c, lo, hi);
                EPILOGUE(a1, bias, c, lo, hi);
                EPILOGUE(a2, bias, c, lo, hi);
                EPILOGUE(a3, bias, c, lo, hi);
                store16(o + c, a0);
                store16(o + C + c, a1);
                store16(o + 2 * C + c, a2);
                store16(o + 3 * C + c, a3);
            }
        }
        for (; ox < g->out_width; ox++) border_pixel(x, filter, g, n, oy, ox, ky0, ky1, bias, lower, upper, out);
    }
}
TG_DISPATCH(tg_depthwise_forward_f32,
            (const float *restrict x, const float *restrict filter, const tg_depthwise *g, long first_row, long end_row,
             const float *restrict bias, float lower, float upper, float *restrict out),
            (x, filter, g, first_row, end_row, bias, lower, upper, out))
