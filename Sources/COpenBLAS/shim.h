// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), found through
// pkg-config's include path for the pthread build.
#include <cblas.h>
