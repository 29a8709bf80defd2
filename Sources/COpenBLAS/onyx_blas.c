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
typedef int (*shutdown_fn)(void);
typedef int (*parallel_fn)(void);

static struct {
    pthread_once_t once;
    const char *error;
    sgemm_fn sgemm;
    dgemm_fn dgemm;
    sgemv_fn sgemv;
    sger_fn sger;
    sscal_fn sscal;
    threads_fn set_threads;
    shutdown_fn stop_pool;
    int small_kernels;
    // Whether the worker pool was stopped for single-threaded use.
    int pool_stopped;
    // Held shared by every BLAS call and exclusively while the pool is
    // stopped or restarted, so no call is running on the workers then.
    pthread_rwlock_t pool_lock;
} blas = {.once = PTHREAD_ONCE_INIT, .pool_lock = PTHREAD_RWLOCK_INITIALIZER};

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
    // Only the pthread build's pool (openblas_get_parallel() == 1) is
    // stopped: the OpenMP build's threads are OpenMP's.
    parallel_fn parallel = (parallel_fn)dlsym(library, "openblas_get_parallel");
    if (parallel && parallel() == 1) blas.stop_pool = (shutdown_fn)dlsym(library, "blas_thread_shutdown_");
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

// OpenBLAS's pthread build starts a worker per core when it loads, and an
// idle worker spins (sched_yield) for about a tenth of a second before it
// sleeps. Single-threaded, the workers never get work, but a run shorter
// than that shares the machine with them: on a 2-core VM, ten runs of
// MobileNet-V3 took a median 5.0 ms instead of 3.7. So one thread stops the
// pool (OpenBLAS's own shutdown, which its fork handler uses); more threads
// start it again, as openblas_set_num_threads does for a stopped pool.
void onyx_blas_set_threads(int threads) {
    if (onyx_blas_load() != 0) return;
    pthread_rwlock_wrlock(&blas.pool_lock);
    if (threads > 1) {
        blas.set_threads(threads);
        blas.pool_stopped = 0;
    } else if (!blas.pool_stopped) {
        blas.set_threads(1);
        if (blas.stop_pool) {
            blas.stop_pool();
            blas.pool_stopped = 1;
        }
    }
    pthread_rwlock_unlock(&blas.pool_lock);
}

void onyx_cblas_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                      const float *b, int ldb, float beta, float *c, int ldc) {
    pthread_rwlock_rdlock(&blas.pool_lock);
    blas.sgemm(ROW_MAJOR, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    pthread_rwlock_unlock(&blas.pool_lock);
}

void onyx_cblas_dgemm(int trans_a, int trans_b, int m, int n, int k, double alpha, const double *a, int lda,
                      const double *b, int ldb, double beta, double *c, int ldc) {
    pthread_rwlock_rdlock(&blas.pool_lock);
    blas.dgemm(ROW_MAJOR, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    pthread_rwlock_unlock(&blas.pool_lock);
}

void onyx_cblas_sgemv(int trans, int m, int n, float alpha, const float *a, int lda, const float *x, int incx,
                      float beta, float *y, int incy) {
    pthread_rwlock_rdlock(&blas.pool_lock);
    blas.sgemv(ROW_MAJOR, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
    pthread_rwlock_unlock(&blas.pool_lock);
}

void onyx_cblas_sger(int m, int n, float alpha, const float *x, int incx, const float *y, int incy, float *a,
                     int lda) {
    pthread_rwlock_rdlock(&blas.pool_lock);
    blas.sger(ROW_MAJOR, m, n, alpha, x, incx, y, incy, a, lda);
    pthread_rwlock_unlock(&blas.pool_lock);
}

void onyx_cblas_sscal(int n, float alpha, float *x, int incx) {
    pthread_rwlock_rdlock(&blas.pool_lock);
    blas.sscal(n, alpha, x, incx);
    pthread_rwlock_unlock(&blas.pool_lock);
}
