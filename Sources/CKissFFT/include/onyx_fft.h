// Discrete Fourier transforms for the runtime's signal kernels, computed by
// KISS FFT (BSD-3-Clause; Debian: libkissfft-dev) in double precision.
//
// Why the C++ template and not the shared library: Debian builds kissfft's
// C library only for float (libkissfft-float131), and a float32 transform
// misses the conformance tolerance (rtol 1e-3, atol 1e-7) on small outputs
// of random signals, where numpy's is within it; the double-precision
// kissfft Debian ships is the header-only class template kissfft.hh, which
// is compiled here and so costs no library load when onyx starts.
#ifndef ONYX_FFT_H
#define ONYX_FFT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Transforms `count` sequences of `n` complex numbers, one after another in
/// `input` (real and imaginary parts interleaved), into `output` (the same
/// layout; the two must not overlap): X[k] = sum_t x[t] e^(∓2πi kt/n), the
/// sign + when `inverse` is nonzero, with no 1/n scaling. Returns 0, or -1
/// when memory ran out. Nothing is done when `n` or `count` is 0.
int onyx_fft_double(size_t n, int inverse, size_t count, const double *input, double *output);

#ifdef __cplusplus
}
#endif

#endif
