#include "onyx_blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <strings.h>

// CBLAS's layout constant for row-major storage.
enum { ROW_MAJOR = 101 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int, const double *, int, double,
                         double *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*sger_fn)(int, int, int, float, const float *, int, const float *, int, float *, int);
typedef void (*sscal_fn)(int, float, float *, int);
typedef void (*threads_fn)(int);
typedef char *(*corename_fn)(void);

static struct {
    pthread_once_t once;
    const char *error;
    sgemm_fn sgemm;
    dgemm_fn dgemm;
    sgemv_fn sgemv;
    sger_fn sger;
    sscal_fn sscal;
    threads_fn set_threads;
    int small_kernels;
} blas = {.once = PTHREAD_ONCE_INIT};

static void load(void) {
    // The soname Debian's libopenblas0 (and most distributions) install;
    // the unversioned name is only there with the -dev package.
    void *library = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) library = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        blas.error = dlerror();
        return;
    }
    blas.sgemm = (sgemm_fn)dlsym(library, "cblas_sgemm");
    blas.dgemm = (dgemm_fn)dlsym(library, "cblas_dgemm");
    blas.sgemv = (sgemv_fn)dlsym(library, "cblas_sgemv");
    blas.sger = (sger_fn)dlsym(library, "cblas_sger");
    blas.sscal = (sscal_fn)dlsym(library, "cblas_sscal");
    blas.set_threads = (threads_fn)dlsym(library, "openblas_set_num_threads");
    if (!blas.sgemm || !blas.dgemm || !blas.sgemv || !blas.sger || !blas.sscal || !blas.set_threads) {
        blas.error = "libopenblas has no CBLAS interface (cblas_sgemm and friends are missing)";
        blas.sgemm = NULL;
        return;
    }
    // The kernel sets OpenBLAS picks for AVX-512 CPUs (0.3.21: kernel/x86_64
    // builds them with SMALL_MATRIX_OPT) are the ones with direct
    // small-matrix GEMM kernels. The name is the one OpenBLAS chose at load,
    // so a user's OPENBLAS_CORETYPE is respected.
    corename_fn corename = (corename_fn)dlsym(library, "openblas_get_corename");
    const char *name = corename ? corename() : NULL;
    static const char *const direct[] = {"SkylakeX", "Cooperlake", "SapphireRapids"};
    for (size_t i = 0; name && i < sizeof direct / sizeof direct[0]; i++) {
        if (strcasecmp(name, direct[i]) == 0) blas.small_kernels = 1;
    }
}

int onyx_blas_load(void) {
    pthread_once(&blas.once, load);
    return blas.sgemm ? 0 : -1;
}

const char *onyx_blas_error(void) {
    onyx_blas_load();
    return blas.error;
}

int onyx_blas_has_small_kernels(void) { return onyx_blas_load() == 0 && blas.small_kernels; }

// Callers load first (ModelRunner does, and refuses to plan without it),
// so the pointers below are set whenever a kernel runs.

void onyx_blas_set_threads(int threads) {
    if (onyx_blas_load() == 0) blas.set_threads(threads);
}

void onyx_cblas_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                      const float *b, int ldb, float beta, float *c, int ldc) {
    blas.sgemm(ROW_MAJOR, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void onyx_cblas_dgemm(int trans_a, int trans_b, int m, int n, int k, double alpha, const double *a, int lda,
                      const double *b, int ldb, double beta, double *c, int ldc) {
    blas.dgemm(ROW_MAJOR, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void onyx_cblas_sgemv(int trans, int m, int n, float alpha, const float *a, int lda, const float *x, int incx,
                      float beta, float *y, int incy) {
    blas.sgemv(ROW_MAJOR, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void onyx_cblas_sger(int m, int n, float alpha, const float *x, int incx, const float *y, int incy, float *a,
                     int lda) {
    blas.sger(ROW_MAJOR, m, n, alpha, x, incx, y, incy, a, lda);
}

void onyx_cblas_sscal(int n, float alpha, float *x, int incx) { blas.sscal(n, alpha, x, incx); }
