#include "cbench.h"

#include <stdlib.h> // defines __GLIBC__ where glibc is the C library

#if defined(__GLIBC__)
#include <malloc.h>
int cbench_release_free_memory(void) { return malloc_trim(0); }
#else
int cbench_release_free_memory(void) { return 0; }
#endif
