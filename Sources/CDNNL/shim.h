#include <dnnl.h>

/* oneDNN's OpenMP runtime: each thread that calls oneDNN gets its own OpenMP team of
 * omp_get_max_threads() threads. TensorGraph's worker pool already splits every kernel across the
 * cores, so each caller runs oneDNN on one thread: no second pool, no oversubscription, no OpenMP
 * threads spinning between steps. omp.h is not on clang's default include path, so the call is declared
 * here, weak: a oneDNN built without OpenMP (sequential or TBB, as Homebrew's may be) needs no call. */
void omp_set_num_threads(int num_threads) __attribute__((weak));

/* Row-major C = op(A)·op(B) (+ beta·C) on the calling thread alone. The OpenMP thread count is a
 * per-thread setting; it is set once per thread, on that thread's first call. */
static inline dnnl_status_t tg_dnnl_sgemm(char transa, char transb, dnnl_dim_t m, dnnl_dim_t n, dnnl_dim_t k,
                                          const float *a, dnnl_dim_t lda, const float *b, dnnl_dim_t ldb,
                                          float beta, float *c, dnnl_dim_t ldc) {
    static _Thread_local int single_threaded = 0;
    if (!single_threaded) {
        if (omp_set_num_threads) omp_set_num_threads(1);
        single_threaded = 1;
    }
    return dnnl_sgemm(transa, transb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
