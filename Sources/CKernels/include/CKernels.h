#ifndef TENSORGRAPH_CKERNELS_H
#define TENSORGRAPH_CKERNELS_H
#include <stddef.h>

/* Hot float32 loops compiled for several instruction sets (AVX-512, AVX2, baseline) with the
   dispatch done once by the loader (GCC/Clang function multiversioning). Same arithmetic in each. */

/* Adam (TF's ApplyAdam) on elements [begin, end):
   m += (g - m)(1 - beta1); v += (g*g - v)(1 - beta2); w -= rate * m / (sqrt(v) + epsilon). */
void tg_adam_f32(float *w, float *m, float *v, const float *g, size_t begin, size_t end,
                 float rate, float beta1, float beta2, float epsilon);

/* Convolution patch matrices for NHWC float32 input; the geometry follows TensorFlow's padding rule.
   im2col: cols[(n, oy, ox), (ky, kx, c)]; col2im is its adjoint (dx is overwritten). */
typedef struct {
    long batch, height, width, channels;
    long kernel_height, kernel_width, stride_y, stride_x;
    long out_height, out_width, pad_top, pad_left;
} tg_window;

void tg_im2col_f32(const float *x, const tg_window *g, float *cols);
void tg_col2im_f32(const float *cols, const tg_window *g, float *dx);

/* Direct NHWC convolution of output rows [first_row, end_row) of images [first_image, end_image) (filter
   [KH, KW, C, F], F a multiple of 16): out = conv(x, filter) (+ bias, then clamped to [lower, upper]: the fused activation). Each image is
   first copied into a zero-padded, channel-planar buffer in `scratch` (tg_conv2d_direct_scratch floats),
   then 8 output pixels × 32 channels (or 16 × 16) accumulate in registers. */
long tg_conv2d_direct_scratch(const tg_window *g, long filters);
void tg_conv2d_direct_f32(const float *x, const float *filter, long filters, const tg_window *g,
                          long first_image, long end_image, long first_row, long end_row,
                          const float *bias, float lower, float upper, float *out, float *scratch);

/* Filter gradient of a single-channel convolution over images [first_image, end_image), F a multiple
   of 16: dw[ky, kx, 0, f] = sum over n, oy, ox of x[n, oy*sy - pad_top + ky, ox*sx - pad_left + kx] * dy[n, oy, ox, f]
   (dw is overwritten). Each tap runs over the output rectangle its window stays inside. */
void tg_conv2d_filter_grad_c1_f32(const float *x, const float *dy, long filters, const tg_window *g,
                                  long first_image, long end_image, float *dw);

/* 2x2 max pooling with stride 2 (VALID: an odd last row or column is not read) over images
   [first_image, end_image) of an NHWC tensor: out[n, oy, ox, c] and, when argmax is not NULL, the flat
   input index of the first maximum in scan order, counted as if image n were image n + index_image_offset
   (a chunk of a larger batch pooled from a scratch buffer records indices into the whole batch). */
void tg_maxpool_2x2_f32(const float *x, long first_image, long end_image, long height, long width, long channels,
                        float *out, int *argmax, long index_image_offset);

/* ReluGrad(MaxPoolGrad(y, pooled, grad), y) for the same 2x2/2 pooling: each input position gets
   grad[o] when it is window o's argmax and pooled[o] > 0, else 0 (dx is fully written). When sums is not
   NULL, adds each channel's total of dx to sums[c]. */
void tg_maxpool_relu_grad_2x2_f32(const float *grad, const float *pooled, const int *argmax,
                                  long first_image, long end_image, long height, long width, long channels,
                                  float *dx, float *sums);

/* Filter gradient over images [first_image, end_image): dw[ky, kx, c, f] = sum over n, oy, ox of
   x[n, oy*sy - pad_top + ky, ox*sx - pad_left + kx, c] * dy[n, oy, ox, f] (dw is overwritten). Needs F a
   multiple of 32 and C of 8, or F of 16 and C of 16, or C = 1 with a 5x5 window and F of 16 (all 25 taps
   in registers); `scratch` holds tg_conv2d_filter_grad_scratch floats (one zero-padded image). */
long tg_conv2d_filter_grad_scratch(const tg_window *g);
void tg_conv2d_filter_grad_f32(const float *x, const float *dy, long filters, const tg_window *g,
                               long first_image, long end_image, float *dw, float *scratch);

/* Depthwise convolution forward with channel multiplier 1 (depthwise_conv.c), NHWC x [N, H, W, C], filter
   [KH, KW, C, 1], out [N, OH, OW, C], for output rows [first_row, end_row) of the N*OH rows: each output is
   the sum over its valid taps (row-major, from zero), + bias[c] when bias is not NULL, clamped to
   [lower, upper] (the fused activation; NaN passes through). kernel_* are tap counts, dilation_* the
   distance between taps. */
typedef struct {
    long batch, height, width, channels;
    long kernel_height, kernel_width, dilation_y, dilation_x, stride_y, stride_x;
    long out_height, out_width, pad_top, pad_left;
} tg_depthwise;
void tg_depthwise_forward_f32(const float *x, const float *filter, const tg_depthwise *g, long first_row, long end_row,
                              const float *bias, float lower, float upper, float *out);

/* rows[r][j] = clamp(rows[r][j] + bias[j], lower, upper) for `count` rows of `width` values. */
void tg_bias_activation_f32(float *rows, long count, long width, const float *bias, float lower, float upper);

/* The instruction set the multiversioned loops run with: the CPU's best (AVX-512, AVX2+FMA, baseline)
   capped by ONEDNN_MAX_CPU_ISA. tg_set_isa_level forces a level for tests (-1: back to the default) and
   returns the level in force; tg_isa_cap_from parses an ONEDNN_MAX_CPU_ISA value (2, 1 or 0). */
const char *tg_kernels_isa(void);
int tg_set_isa_level(int requested);
int tg_isa_level(void);
int tg_isa_cap_from(const char *value);


/* Convolution through oneDNN's JIT kernels (dnnl_conv.c): NHWC activations, HWIO filters, one object per
   pass, geometry and batch slice, created once and executed on the calling thread. NULL when oneDNN has
   no primitive for the geometry (the caller then uses its own kernels). Execute's operands by pass:
   forward (x, filter, bias or NULL, y), backward data (dy, filter, -, dx), backward filter (x, dy, -, dw).
   The forward applies bias, then clamps to [lower, upper] (the fused activation). Returns 1 on success. */
enum { TG_DNNL_CONV_FORWARD = 0, TG_DNNL_CONV_BACKWARD_DATA = 1, TG_DNNL_CONV_BACKWARD_FILTER = 2 };
typedef struct tg_dnnl_conv tg_dnnl_conv;
tg_dnnl_conv *tg_dnnl_conv_create(int pass, const tg_window *g, long filters, int has_bias, float lower, float upper);
int tg_dnnl_conv_execute(tg_dnnl_conv *c, const float *a, const float *b, const float *bias, float *out);
/* The same, for the forward pass: when filter_ready is 1 the primitive's blocked copy of the filter from its
   previous execution is used as it is (the caller knows the filter has not changed since), skipping the reorder. */
int tg_dnnl_conv_execute_reusing(tg_dnnl_conv *c, const float *a, const float *b, const float *bias, float *out, int filter_ready);
const char *tg_dnnl_conv_implementation(const tg_dnnl_conv *c);
void tg_dnnl_conv_destroy(tg_dnnl_conv *c);

/* Float32 transcendental maps (elementwise.c): y[i] = f(x[i]) for `count` elements, y may be x.
   A few ulp from the correctly rounded value; NaN gives NaN, ±inf the limits. */
void tg_exp_f32(const float *x, float *y, long count);
void tg_sigmoid_f32(const float *x, float *y, long count);
void tg_tanh_f32(const float *x, float *y, long count);
void tg_erf_f32(const float *x, float *y, long count);
void tg_erfc_f32(const float *x, float *y, long count);
/* y[i] = a[i] op b[i] for `count` elements, float32; a_scalar / b_scalar: the operand is one value repeated.
   y may be a or b. Same IEEE results as the scalar expressions (no contraction into FMA). */
enum { TG_BINARY_ADD = 0, TG_BINARY_SUB = 1, TG_BINARY_MUL = 2, TG_BINARY_DIV = 3, TG_BINARY_SQUARED_DIFFERENCE = 4 };
void tg_binary_f32(int op, const float *a, int a_scalar, const float *b, int b_scalar, float *y, long count);
/* Softmax (log_softmax = 0) or log-softmax of `rows` rows of `columns` values, stabilised by the row
   maximum; y must not overlap x. */
void tg_softmax_rows_f32(const float *x, float *y, long rows, long columns, int log_softmax);

#endif
