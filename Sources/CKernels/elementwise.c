#include "CKernels.h"

#include <math.h>
#include <string.h>

#include "multiversion.h"

/* Float32 elementwise loops: exp, sigmoid, tanh, erf, erfc, softmax rows, and the arithmetic of two operands.
   The transcendental functions are written as straight-line arithmetic and
   selects (no calls, no branches), so each loop vectorises for the instruction set it is compiled for.
   Accuracy: a few ulp against the correctly rounded value (the tests compare with a double-precision
   reference); NaN in gives NaN out, ±inf give the limits, results that underflow go through the
   subnormals to 0. Coefficients: Taylor series for exp and small |x| tanh; least-squares fits on
   Chebyshev nodes against mpmath for erf and erfc (relative error of each fit below 2e-8). */

TG_BODY float tg_bits_to_float(int bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

TG_BODY int tg_float_to_bits(float value) {
    int bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2 (Cody–Waite split of ln 2, so r is exact
   to float rounding); e^r by its Taylor series to r^7 (truncation below 6e-9). 2^n is applied as two
   factors so results between the smallest normal and the smallest subnormal round only once.
   x is clamped to [-104, 88.8]: below, e^x is under half the smallest subnormal (0); above, over FLT_MAX (inf). */
TG_BODY float tg_expf(float x) {
    float clamped = x == x ? x : 0.0f;   /* NaN would make the integer conversion undefined */
    clamped = clamped < -104.0f ? -104.0f : clamped;
    clamped = clamped > 88.8f ? 88.8f : clamped;
    /* Adding and subtracting 1.5 · 2^23 rounds to the nearest integer in the default rounding mode. */
    float n = (clamped * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = clamped - n * 0.693359375f;   /* ln 2's leading 9 bits: n · it is exact */
    r = r - n * -2.12194440e-4f;             /* the rest of ln 2 */
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int exponent = (int)n, half = exponent >> 1;
    float result = p * tg_bits_to_float((half + 127) << 23) * tg_bits_to_float((exponent - half + 127) << 23);
    return x == x ? result : x;
}

/* 1 / (1 + e^-x) as s = 1 / (1 + e^-|x|), then s for x ≥ 0 and e^-|x| · s for x < 0: e^-|x| never
   overflows and the small results for negative x keep their relative accuracy. */
TG_BODY float tg_sigmoidf(float x) {
    float e = tg_expf(-fabsf(x));
    float s = 1.0f / (1.0f + e);
    return x >= 0.0f ? s : (x < 0.0f ? e * s : x);
}

/* tanh |x| = (1 − e) / (1 + e) with e = e^(−2|x|) for |x| ≥ 0.4 (no cancellation worse than 1.6×), its
   odd Taylor series to x^15 below (truncation under 1e-9 relative); the sign of x is copied back. */
TG_BODY float tg_tanhf(float x) {
    float a = fabsf(x), z = x * x;
    float p = -929569.0f / 638512875.0f;
    p = p * z + 21844.0f / 6081075.0f;
    p = p * z + -1382.0f / 155925.0f;
    p = p * z + 62.0f / 2835.0f;
    p = p * z + -17.0f / 315.0f;
    p = p * z + 2.0f / 15.0f;
    p = p * z + -1.0f / 3.0f;
    float small = x + x * z * p;
    float e = tg_expf(-2.0f * a);
    float large = copysignf((1.0f - e) / (1.0f + e), x);
    return a < 0.4f ? small : large;
}

/* erf x = x · P(x²) for |x| < 1. */
TG_BODY float tg_erf_smallf(float x) {
    float z = x * x;
    float p = 7.898210124e-05f;
    p = p * z + -8.024354100e-04f;
    p = p * z + 5.190053574e-03f;
    p = p * z + -2.685480853e-02f;
    p = p * z + 1.128361243e-01f;
    p = p * z + -3.761262884e-01f;
    p = p * z + 1.128379167e+00f;
    return x * p;
}

/* erfc a for a ≥ 0.5 (not NaN): e^(−a²) · M(a − 1.25) below 2, e^(−a²) / a · T(1/a²) from 2 on (0 from about 10.06).
   a² is split as h² + (a − h)(a + h) with h = a's leading 12 bits (h² exact), so e^(−a²) keeps float
   accuracy where a² is large. */
TG_BODY float tg_erfc_largef(float a) {
    a = a < 10.5f ? a : 10.5f;   /* erfc is 0 in float32 from about 10.06; keeps (a − h)(a + h) finite */
    float h = tg_bits_to_float(tg_float_to_bits(a) & (int)0xFFFFF000);
    /* d = (a − h)(a + h) ≤ a² · 2^-10 ≤ 0.11: e^-d by its Taylor series to d^5 (truncation under 3e-9). */
    float d = (a - h) * (a + h);
    float e = -1.0f / 120.0f;
    e = e * d + 1.0f / 24.0f;
    e = e * d + -1.0f / 6.0f;
    e = e * d + 0.5f;
    e = e * d + -1.0f;
    e = e * d + 1.0f;
    float scale = tg_expf(-h * h) * e;
    float c = a - 1.25f;
    float m = 6.076165154e-05f;
    m = m * c + -1.921115705e-04f;
    m = m * c + 4.720584039e-04f;
    m = m * c + -1.309123257e-03f;
    m = m * c + 3.552790005e-03f;
    m = m * c + -9.085711636e-03f;
    m = m * c + 2.201155419e-02f;
    m = m * c + -5.021787085e-02f;
    m = m * c + 1.067955531e-01f;
    m = m * c + -2.088218870e-01f;
    m = m * c + 3.678229167e-01f;
    float t = 1.0f / a, u = t * t;
    float q = -9.673085553e+00f;
    q = q * u + 1.221853412e+01f;
    q = q * u + -7.208085288e+00f;
    q = q * u + 2.865129672e+00f;
    q = q * u + -1.009362407e+00f;
    q = q * u + 4.215172265e-01f;
    q = q * u + -2.820681385e-01f;
    q = q * u + 5.641894301e-01f;
    return scale * (a < 2.0f ? m : t * q);
}

TG_BODY float tg_erff(float x) {
    float a = fabsf(x);
    float large = copysignf(1.0f - tg_erfc_largef(a), x);
    return a < 1.0f ? tg_erf_smallf(x) : (a >= 1.0f ? large : x);   /* the last case is NaN */
}

TG_BODY float tg_erfcf(float x) {
    float a = fabsf(x);
    float tail = tg_erfc_largef(a);
    float large = x > 0.0f ? tail : 2.0f - tail;
    /* Below 0.5, erfc x = 1 − erf x loses at most a factor 1.1 to cancellation. */
    return a < 0.5f ? 1.0f - tg_erf_smallf(x) : (a >= 0.5f ? large : x);
}

/* y[i] = function(x[i]); y may be x (an elementwise step may write over its dying input). */
#define TG_MAP(name, function)                                                            \
    TG_BODY void name##_impl(const float *x, float *y, long count) {                      \
        for (long i = 0; i < count; i++) y[i] = function(x[i]);                           \
    }                                                                                     \
    TG_DISPATCH(name, (const float *x, float *y, long count), (x, y, count))

TG_MAP(tg_exp_f32, tg_expf)
TG_MAP(tg_sigmoid_f32, tg_sigmoidf)
TG_MAP(tg_tanh_f32, tg_tanhf)
TG_MAP(tg_erf_f32, tg_erff)
TG_MAP(tg_erfc_f32, tg_erfcf)

/* Softmax (or log-softmax) of each row, stabilised by the row maximum. The maximum and the sum use 16
   partial results, so they vectorise without reassociating one running value. */
#define TG_LANES 16
TG_BODY void tg_softmax_rows_f32_impl(const float *restrict x, float *restrict y, long rows, long columns, int log_softmax) {
    for (long r = 0; r < rows; r++) {
        const float *src = x + r * columns;
        float *dst = y + r * columns;
        float lanes[TG_LANES];
        for (int k = 0; k < TG_LANES; k++) lanes[k] = -INFINITY;
        long j = 0;
        for (; j + TG_LANES <= columns; j += TG_LANES)
            for (int k = 0; k < TG_LANES; k++) lanes[k] = src[j + k] > lanes[k] ? src[j + k] : lanes[k];
        float maximum = -INFINITY;
        for (int k = 0; k < TG_LANES; k++) maximum = lanes[k] > maximum ? lanes[k] : maximum;
        for (; j < columns; j++) maximum = src[j] > maximum ? src[j] : maximum;
        for (int k = 0; k < TG_LANES; k++) lanes[k] = 0.0f;
        for (j = 0; j + TG_LANES <= columns; j += TG_LANES)
            for (int k = 0; k < TG_LANES; k++) {
                float e = tg_expf(src[j + k] - maximum);
                dst[j + k] = e;
                lanes[k] += e;
            }
        float total = 0.0f;
        for (int k = 0; k < TG_LANES; k++) total += lanes[k];
        for (; j < columns; j++) {
            float e = tg_expf(src[j] - maximum);
            dst[j] = e;
            total += e;
        }
        if (log_softmax) {
            float log_total = logf(total);
            for (j = 0; j < columns; j++) dst[j] = (src[j] - maximum) - log_total;
        } else {
            float inverse = 1.0f / total;
            for (j = 0; j < columns; j++) dst[j] *= inverse;
        }
    }
}
TG_DISPATCH(tg_softmax_rows_f32, (const float *restrict x, float *restrict y, long rows, long columns, int log_softmax),
            (x, y, rows, columns, log_softmax))

/* y[i] = a[i] op b[i] in blocks of 16 (a scalar operand repeats a[0] or b[0]). Each block is loaded before
   it is stored, so y may be a or b (an elementwise step writing over its dying input). */
typedef float tg_v16f __attribute__((vector_size(64)));

#define TG_BINARY_LOOP(EXPR)                                                      \
    {                                                                             \
        tg_v16f splat_a = a[0] - (tg_v16f){0}, splat_b = b[0] - (tg_v16f){0};     \
        long i = 0;                                                               \
        for (; i + 16 <= count; i += 16) {                                        \
            tg_v16f x = splat_a, z = splat_b, r;                                  \
            if (!a_scalar) memcpy(&x, a + i, sizeof x);                           \
            if (!b_scalar) memcpy(&z, b + i, sizeof z);                           \
            r = EXPR;                                                             \
            memcpy(y + i, &r, sizeof r);                                          \
        }                                                                         \
        for (; i < count; i++) {                                                  \
            float x = a[a_scalar ? 0 : i], z = b[b_scalar ? 0 : i];               \
            y[i] = EXPR;                                                          \
        }                                                                         \
    }

TG_BODY void tg_binary_f32_impl(int op, const float *a, int a_scalar, const float *b, int b_scalar, float *y, long count) {
    if (count <= 0) return;
    switch (op) {
    case TG_BINARY_ADD: TG_BINARY_LOOP(x + z) break;
    case TG_BINARY_SUB: TG_BINARY_LOOP(x - z) break;
    case TG_BINARY_MUL: TG_BINARY_LOOP(x * z) break;
    case TG_BINARY_DIV: TG_BINARY_LOOP(x / z) break;
    case TG_BINARY_SQUARED_DIFFERENCE: TG_BINARY_LOOP((x - z) * (x - z)) break;
    default: break;
    }
}
TG_DISPATCH(tg_binary_f32, (int op, const float *a, int a_scalar, const float *b, int b_scalar, float *y, long count),
            (op, a, a_scalar, b, b_scalar, y, count))
