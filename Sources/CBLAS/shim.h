#include <cblas.h>
/* OpenBLAS's thread control is not part of the reference CBLAS header on every system. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
