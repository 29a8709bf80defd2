#include "onyx_vector_math.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#include <emmintrin.h>

// The x86-64 vector ABI's SSE variants ('b', four floats in an xmm
// register); glibc declares them only for its own compiler pragmas.
__m128 _ZGVbN4v_expf(__m128);
__m128 _ZGVbN4v_tanhf(__m128);
__m128 _ZGVbN4v_erff(__m128);

// Four at a time; the last one to three padded to four, so that they take
// the vector function too.
static void apply(float *values, size_t count, __m128 (*function)(__m128)) {
    size_t i = 0;
    for (; i + 4 <= count; i += 4) _mm_storeu_ps(values + i, function(_mm_loadu_ps(values + i)));
    if (i < count) {
        float tail[4] = {0, 0, 0, 0};
        memcpy(tail, values + i, (count - i) * sizeof(float));
        _mm_storeu_ps(tail, function(_mm_loadu_ps(tail)));
        memcpy(values + i, tail, (count - i) * sizeof(float));
    }
}

void onyx_exp_f32(float *values, size_t count) { apply(values, count, _ZGVbN4v_expf); }
void onyx_tanh_f32(float *values, size_t count) { apply(values, count, _ZGVbN4v_tanhf); }
void onyx_erf_f32(float *values, size_t count) { apply(values, count, _ZGVbN4v_erff); }
#else
void onyx_exp_f32(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = expf(values[i]);
}
void onyx_tanh_f32(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = tanhf(values[i]);
}
void onyx_erf_f32(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = erff(values[i]);
}
#endif
