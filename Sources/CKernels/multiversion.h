#ifndef TENSORGRAPH_MULTIVERSION_H
#define TENSORGRAPH_MULTIVERSION_H

/* Each hot loop is compiled for AVX-512, AVX2+FMA and the baseline, and a dispatcher picks one per
   call from the CPU's features capped by ONEDNN_MAX_CPU_ISA (oneDNN's own switch, which TensorFlow's
   oneDNN kernels honour too), so one environment variable puts the whole process on AVX2.
   TG_DISPATCH(name, (params), (args)) defines `name` from the always-inline body `name##_impl`: the
   body is inlined into each target-specific wrapper and compiled for that instruction set. Helpers
   the bodies call must be always_inline too, for the same reason. */

/* 2 = AVX-512 (F, BW, DQ, VL), 1 = AVX2 with FMA, 0 = baseline. */
int tg_isa_level(void);

#define TG_BODY static inline __attribute__((always_inline))

#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target)
#define TG_DISPATCH(name, params, args)                                                                   \
    __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"))) static void name##_avx512 params { \
        name##_impl args;                                                                                 \
    }                                                                                                     \
    __attribute__((target("avx2,fma"))) static void name##_avx2 params { name##_impl args; }              \
    static void name##_baseline params { name##_impl args; }                                              \
    void name params {                                                                                    \
        switch (tg_isa_level()) {                                                                         \
        case 2: name##_avx512 args; break;                                                                \
        case 1: name##_avx2 args; break;                                                                  \
        default: name##_baseline args; break;                                                             \
        }                                                                                                 \
    }
#endif
#endif
#ifndef TG_DISPATCH
#define TG_DISPATCH(name, params, args) \
    void name params { name##_impl args; }
#endif

#endif
