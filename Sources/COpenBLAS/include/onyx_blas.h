// OpenBLAS's CBLAS routines the runtime uses, reached through a library
// loaded on first use rather than linked.
//
// Why not link libopenblas: its pthread build starts its worker threads in
// a load-time constructor, and they spin for about a tenth of a second
// waiting for work. Every `onyx` process (check, infer, convert, none of
// which multiplies a matrix) paid that: on the 20,000-node model `onyx
// check` took 144 ms of CPU instead of 97. Loaded here, the library (Debian:
// libopenblas0, which libopenblas-dev brings) starts only when a kernel
// first calls into it.
//
// The functions take CBLAS's arguments in its order, row-major only; the
// constants are CBLAS's own values.
#ifndef ONYX_BLAS_H
#define ONYX_BLAS_H

#define ONYX_CBLAS_NO_TRANS 111
#define ONYX_CBLAS_TRANS 112

/// Loads OpenBLAS once; 0 when it is there, else -1 (see onyx_blas_error).
int onyx_blas_load(void);

/// Why loading failed, or NULL.
const char *onyx_blas_error(void);

/// 1 when OpenBLAS runs a kernel set with direct small-matrix GEMM kernels
/// (which skip packing the operands), else 0.
int onyx_blas_has_small_kernels(void);
/// openblas_set_num_threads, once loaded.
void onyx_blas_set_threads(int threads);

void onyx_cblas_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                      const float *b, int ldb, float beta, float *c, int ldc);
void onyx_cblas_dgemm(int trans_a, int trans_b, int m, int n, int k, double alpha, const double *a, int lda,
                      const double *b, int ldb, double beta, double *c, int ldc);
void onyx_cblas_sgemv(int trans, int m, int n, float alpha, const float *a, int lda, const float *x, int incx,
                      float beta, float *y, int incy);
void onyx_cblas_sger(int m, int n, float alpha, const float *x, int incx, const float *y, int incy, float *a,
                     int lda);
void onyx_cblas_sscal(int n, float alpha, float *x, int incx);

#endif
