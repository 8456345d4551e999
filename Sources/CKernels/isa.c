#include "CKernels.h"
#include "multiversion.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The level the CPU supports: what cpuid reports, never a table of CPU names. */
static int cpu_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

/* ONEDNN_MAX_CPU_ISA as oneDNN spells it (SSE41, AVX, AVX2, AVX2_VNNI, AVX512_CORE, AVX512_CORE_VNNI,
   AVX512_CORE_BF16, AVX512_CORE_AMX, ..., ALL; any case): the highest level it allows. */
int tg_isa_cap_from(const char *value) {
    if (value == NULL || *value == 0 || strcasecmp(value, "ALL") == 0 || strcasecmp(value, "DEFAULT") == 0) return 2;
    char upper[64];
    size_t n = strlen(value);
    if (n >= sizeof upper) n = sizeof upper - 1;
    for (size_t i = 0; i < n; i++) upper[i] = (char)((value[i] >= 'a' && value[i] <= 'z') ? value[i] - 32 : value[i]);
    upper[n] = 0;
    if (strstr(upper, "AVX512") || strstr(upper, "AMX") || strstr(upper, "AVX10")) return 2;
    if (strstr(upper, "AVX2")) return 1;
    return 0;
}

static int level = -1;   /* resolved on first use; tg_set_isa_level overrides it (tests) */

int tg_isa_level(void) {
    int current = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (current >= 0) return current;
    int cap = tg_isa_cap_from(getenv("ONEDNN_MAX_CPU_ISA"));
    int cpu = cpu_level();
    current = cpu < cap ? cpu : cap;
    __atomic_store_n(&level, current, __ATOMIC_RELAXED);
    return current;
}

int tg_set_isa_level(int requested) {
    int cpu = cpu_level();
    int chosen = requested < 0 ? -1 : (requested < cpu ? requested : cpu);
    __atomic_store_n(&level, chosen, __ATOMIC_RELAXED);
    return chosen < 0 ? tg_isa_level() : chosen;
}

const char *tg_kernels_isa(void) {
    switch (tg_isa_level()) {
    case 2: return "avx512";
    case 1: return "avx2+fma";
    default:
#if defined(__x86_64__)
        return "x86-64 baseline";
#else
        return "portable C";
#endif
    }
}
