#ifndef TENSORGRAPH_MULTIVERSION_H
#define TENSORGRAPH_MULTIVERSION_H

/* Each hot loop is compiled for AVX-512, AVX2+FMA and the baseline; the loader picks one per CPU
   (GCC/Clang function multiversioning). Helpers they call must be always_inline so that they are
   compiled for the same instruction set. */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
/* "avx2,fma" is one version (AVX2 with FMA), written the way GCC accepts it too. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wtarget-clones-mixed-specifiers"
#endif
#define TG_MULTIVERSION __attribute__((target_clones("avx512f", "avx2,fma", "default")))
#endif
#endif
#ifndef TG_MULTIVERSION
#define TG_MULTIVERSION
#endif

#endif
