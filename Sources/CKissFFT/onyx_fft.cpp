#include "onyx_fft.h"

#if __has_include(<kissfft/kissfft.hh>)
#include <kissfft/kissfft.hh>
#else
#error "kissfft/kissfft.hh is missing: install Debian's libkissfft-dev (make deps does)"
#endif

#include <complex>

int onyx_fft_double(size_t n, int inverse, size_t count, const double *input, double *output) {
    // kissfft's plan for n = 0 would recurse past its stages.
    if (n == 0 || count == 0) return 0;
    // std::complex<double> is laid out as double[2] (C++11 [complex.numbers]),
    // so the interleaved arrays are arrays of complex numbers.
    const auto *in = reinterpret_cast<const std::complex<double> *>(input);
    auto *out = reinterpret_cast<std::complex<double> *>(output);
    // kissfft allocates its twiddles and scratch with std::vector; nothing
    // may throw across the C boundary.
    try {
        const kissfft<double> plan(n, inverse != 0);
        for (size_t line = 0; line < count; ++line) plan.transform(in + line * n, out + line * n);
    } catch (...) {
        return -1;
    }
    return 0;
}
