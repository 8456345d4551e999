#include <cblas.h>
/* OpenBLAS's thread control is not part of the reference CBLAS header on every system. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* OpenBLAS DYNAMIC_ARCH: re-select the kernel set (reads OPENBLAS_CORETYPE) and name the current one. */
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
char *openblas_get_corename(void);
