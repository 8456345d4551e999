/* Convolutions through oneDNN's JIT kernels, for NHWC activations and HWIO (TensorFlow's HWCF) filters.
 *
 * Activations stay in TensorFlow's NHWC layout (oneDNN reads and writes it directly); the filter goes
 * through oneDNN's preferred blocked layout (`any`): with a plain HWIO filter oneDNN 2.6 falls back to
 * im2col + GEMM at 2-9x the time, while the weight reorders cost microseconds. One object is one
 * primitive for one pass, geometry and batch slice, with everything it needs created once: its stream,
 * memory objects whose data handles are set per call, the filter reorder, and a user-mode scratchpad,
 * so executing it allocates nothing of TensorGraph's. An object is used by one thread at a time (the
 * Swift side hands each worker its own); oneDNN runs it on the calling thread alone (OpenMP thread
 * count 1 on that thread: TensorGraph's worker pool is the only pool). */
#include "CKernels.h"

#include <dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Weak: a oneDNN built without OpenMP (sequential or TBB) has nothing to set. */
void omp_set_num_threads(int num_threads) __attribute__((weak));

struct tg_dnnl_conv {
    int pass;
    dnnl_stream_t stream;
    dnnl_primitive_t primitive;
    /* Plain (user) memories: a, b are the inputs, out the output, in the order of tg_dnnl_conv_execute. */
    dnnl_memory_t a, b, out, bias;
    /* The filter in oneDNN's layout, and the reorder between it and the plain HWIO filter. */
    dnnl_memory_t blocked_filter;
    dnnl_primitive_t filter_reorder;
    dnnl_memory_t scratchpad;
    char implementation[64];
};

static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void create_engine(void) {
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}

#define CHECK(call) do { if ((call) != dnnl_success) goto fail; } while (0)

static int make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out) {
    dnnl_primitive_desc_t pd = NULL;
    if (dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL) != dnnl_success) return 0;
    dnnl_status_t status = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return status == dnnl_success;
}

tg_dnnl_conv *tg_dnnl_conv_create(int pass, const tg_window *g, long filters, int has_bias, float lower, float upper) {
    pthread_once(&engine_once, create_engine);
    if (!engine) return NULL;
    tg_dnnl_conv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->pass = pass;
    dnnl_primitive_desc_t hint = NULL, pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;

    /* Logical dims are NCHW / OIHW in oneDNN whatever the layout; the tags give the layout. */
    dnnl_dims_t x_dims = {g->batch, g->channels, g->height, g->width};
    dnnl_dims_t y_dims = {g->batch, filters, g->out_height, g->out_width};
    dnnl_dims_t w_dims = {filters, g->channels, g->kernel_height, g->kernel_width};
    dnnl_dims_t b_dims = {filters};
    dnnl_dims_t strides = {g->stride_y, g->stride_x};
    dnnl_dims_t pad_l = {g->pad_top, g->pad_left};
    /* TF's SAME puts the extra padding at the end. VALID may leave the last input rows unread (the
       difference is negative): oneDNN's output size rounds down the same way with no padding there. */
    dnnl_dims_t pad_r = {(g->out_height - 1) * g->stride_y + g->kernel_height - g->height - g->pad_top,
                         (g->out_width - 1) * g->stride_x + g->kernel_width - g->width - g->pad_left};
    if (pad_r[0] < 0) pad_r[0] = 0;
    if (pad_r[1] < 0) pad_r[1] = 0;
    dnnl_memory_desc_t x_md, y_md, w_plain, w_any, b_md;
    CHECK(dnnl_memory_desc_init_by_tag(&x_md, 4, x_dims, dnnl_f32, dnnl_nhwc));
    CHECK(dnnl_memory_desc_init_by_tag(&y_md, 4, y_dims, dnnl_f32, dnnl_nhwc));
    CHECK(dnnl_memory_desc_init_by_tag(&w_plain, 4, w_dims, dnnl_f32, dnnl_hwio));
    CHECK(dnnl_memory_desc_init_by_tag(&w_any, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&b_md, 1, b_dims, dnnl_f32, dnnl_x));

    CHECK(dnnl_primitive_attr_create(&attr));
    CHECK(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    dnnl_convolution_desc_t forward;
    int forward_bias = pass == TG_DNNL_CONV_FORWARD && has_bias;
    CHECK(dnnl_convolution_forward_desc_init(&forward, pass == TG_DNNL_CONV_FORWARD ? dnnl_forward_inference : dnnl_forward_training,
                                             dnnl_convolution_direct, &x_md, &w_any, forward_bias ? &b_md : NULL, &y_md,
                                             strides, pad_l, pad_r));
    if (pass == TG_DNNL_CONV_FORWARD) {
        if (lower > -__builtin_inff() || upper < __builtin_inff()) {
            CHECK(dnnl_post_ops_create(&post_ops));
            if (upper == __builtin_inff() && lower == 0)
                CHECK(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
            else
                CHECK(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_clip_v2, lower, upper));
            CHECK(dnnl_primitive_attr_set_post_ops(attr, post_ops));
        }
        CHECK(dnnl_primitive_desc_create(&pd, &forward, attr, engine, NULL));
    } else {
        CHECK(dnnl_primitive_desc_create(&hint, &forward, NULL, engine, NULL));
        dnnl_convolution_desc_t backward;
        if (pass == TG_DNNL_CONV_BACKWARD_DATA)
            CHECK(dnnl_convolution_backward_data_desc_init(&backward, dnnl_convolution_direct, &x_md, &w_any, &y_md,
                                                           strides, pad_l, pad_r));
        else
            CHECK(dnnl_convolution_backward_weights_desc_init(&backward, dnnl_convolution_direct, &x_md, &w_any, NULL, &y_md,
                                                              strides, pad_l, pad_r));
        CHECK(dnnl_primitive_desc_create(&pd, &backward, attr, engine, hint));
    }
    CHECK(dnnl_primitive_create(&c->primitive, pd));
    const char *name = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) == dnnl_success && name) {
        strncpy(c->implementation, name, sizeof c->implementation - 1);
    }

    const dnnl_memory_desc_t *blocked = dnnl_primitive_desc_query_md(
        pd, pass == TG_DNNL_CONV_BACKWARD_FILTER ? dnnl_query_diff_weights_md : dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    CHECK(dnnl_memory_create(&c->blocked_filter, blocked, engine, DNNL_MEMORY_ALLOCATE));
    if (scratch && dnnl_memory_desc_get_size(scratch) > 0)
        CHECK(dnnl_memory_create(&c->scratchpad, scratch, engine, DNNL_MEMORY_ALLOCATE));
    if (pass == TG_DNNL_CONV_BACKWARD_FILTER) {
        if (!make_reorder(blocked, &w_plain, &c->filter_reorder)) goto fail;
    } else {
        if (!make_reorder(&w_plain, blocked, &c->filter_reorder)) goto fail;
    }
    /* a, b, out per pass: forward (x, w, y), backward data (dy, w, dx), backward filter (x, dy, dw). */
    const dnnl_memory_desc_t *a_md = pass == TG_DNNL_CONV_BACKWARD_DATA ? &y_md : &x_md;
    const dnnl_memory_desc_t *b_md_plain = pass == TG_DNNL_CONV_BACKWARD_FILTER ? &y_md : &w_plain;
    const dnnl_memory_desc_t *out_md = pass == TG_DNNL_CONV_FORWARD ? &y_md : pass == TG_DNNL_CONV_BACKWARD_DATA ? &x_md : &w_plain;
    CHECK(dnnl_memory_create(&c->a, a_md, engine, DNNL_MEMORY_NONE));
    CHECK(dnnl_memory_create(&c->b, b_md_plain, engine, DNNL_MEMORY_NONE));
    CHECK(dnnl_memory_create(&c->out, out_md, engine, DNNL_MEMORY_NONE));
    if (forward_bias) CHECK(dnnl_memory_create(&c->bias, &b_md, engine, DNNL_MEMORY_NONE));
    CHECK(dnnl_stream_create(&c->stream, engine, dnnl_stream_default_flags));

    if (post_ops) dnnl_post_ops_destroy(post_ops);
    dnnl_primitive_attr_destroy(attr);
    dnnl_primitive_desc_destroy(pd);
    if (hint) dnnl_primitive_desc_destroy(hint);
    return c;
fail:
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (hint) dnnl_primitive_desc_destroy(hint);
    tg_dnnl_conv_destroy(c);
    return NULL;
}

const char *tg_dnnl_conv_implementation(const tg_dnnl_conv *c) { return c->implementation; }

static int run(dnnl_primitive_t p, dnnl_stream_t s, int n, const dnnl_exec_arg_t *args) {
    return dnnl_primitive_execute(p, s, n, args) == dnnl_success && dnnl_stream_wait(s) == dnnl_success;
}

int tg_dnnl_conv_execute(tg_dnnl_conv *c, const float *a, const float *b, const float *bias, float *out) {
    return tg_dnnl_conv_execute_reusing(c, a, b, bias, out, 0);
}

int tg_dnnl_conv_execute_reusing(tg_dnnl_conv *c, const float *a, const float *b, const float *bias, float *out, int filter_ready) {
    static _Thread_local int single_threaded = 0;
    if (!single_threaded) {
        if (omp_set_num_threads) omp_set_num_threads(1);
        single_threaded = 1;
    }
    if (dnnl_memory_set_data_handle(c->a, (void *)a) != dnnl_success ||
        dnnl_memory_set_data_handle(c->b, (void *)b) != dnnl_success ||
        dnnl_memory_set_data_handle(c->out, out) != dnnl_success) return 0;
    int n = 0;
    dnnl_exec_arg_t args[6];
    if (c->scratchpad) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, c->scratchpad};
    switch (c->pass) {
    case TG_DNNL_CONV_FORWARD: {
        dnnl_exec_arg_t reorder[2] = {{DNNL_ARG_FROM, c->b}, {DNNL_ARG_TO, c->blocked_filter}};
        if (!filter_ready && !run(c->filter_reorder, c->stream, 2, reorder)) return 0;
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, c->a};
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, c->blocked_filter};
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST, c->out};
        if (c->bias) {
            if (!bias || dnnl_memory_set_data_handle(c->bias, (void *)bias) != dnnl_success) return 0;
            args[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, c->bias};
        }
        return run(c->primitive, c->stream, n, args);
    }
    case TG_DNNL_CONV_BACKWARD_DATA: {
        dnnl_exec_arg_t reorder[2] = {{DNNL_ARG_FROM, c->b}, {DNNL_ARG_TO, c->blocked_filter}};
        if (!run(c->filter_reorder, c->stream, 2, reorder)) return 0;
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, c->a};
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, c->blocked_filter};
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC, c->out};
        return run(c->primitive, c->stream, n, args);
    }
    default: {
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, c->a};
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, c->b};
        args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_WEIGHTS, c->blocked_filter};
        if (!run(c->primitive, c->stream, n, args)) return 0;
        dnnl_exec_arg_t reorder[2] = {{DNNL_ARG_FROM, c->blocked_filter}, {DNNL_ARG_TO, c->out}};
        return run(c->filter_reorder, c->stream, 2, reorder);
    }
    }
}

void tg_dnnl_conv_destroy(tg_dnnl_conv *c) {
    if (!c) return;
    if (c->primitive) dnnl_primitive_destroy(c->primitive);
    if (c->filter_reorder) dnnl_primitive_destroy(c->filter_reorder);
    dnnl_memory_t memories[] = {c->a, c->b, c->out, c->bias, c->blocked_filter, c->scratchpad};
    for (size_t i = 0; i < sizeof memories / sizeof memories[0]; i++) if (memories[i]) dnnl_memory_destroy(memories[i]);
    if (c->stream) dnnl_stream_destroy(c->stream);
    free(c);
}
