#ifndef ONYX_VECTOR_MATH_H
#define ONYX_VECTOR_MATH_H

#include <stddef.h>

// exp, tanh and erf over a run of float32 values, in place, through glibc's
// vector math library (libmvec: _ZGVbN4v_expf, _ZGVbN4v_tanhf and
// _ZGVbN4v_erff, four lanes, the best implementation the CPU runs picked by
// glibc; within 4 ulp as glibc documents). Where libmvec lacks them (not
// x86-64, or glibc before 2.35) the scalar expf, tanhf and erff of libm run
// instead. Every value goes through the same function, whatever its
// position in the run, so a value's result does not depend on the length
// of the run it is in.
void onyx_exp_f32(float *values, size_t count);
void onyx_tanh_f32(float *values, size_t count);
void onyx_erf_f32(float *values, size_t count);

// Hot float32 loops of the runtime's kernels, built for the widest vector
// registers the CPU has (chosen when the library loads), where the Swift
// loops would run at the x86-64 baseline's four lanes.

// A weighted sum of shifted runs (a depthwise convolution's taps):
// sums[i] = Σ weights[t] · source[offsets[t] + i] for t in 0..<taps, added in
// the order of t, starting from zero, for i in 0..<count.
void onyx_weighted_taps_f32(
    const float *source, const ptrdiff_t *offsets, const float *weights, size_t taps, float *sums, size_t count);

// Every stride-th value from source: target[i] = source[i · stride] for i in
// 0..<count.
void onyx_strided_copy_f32(float *restrict target, const float *restrict source, size_t stride, size_t count);

// A running maximum over every stride-th value (a max pool's tap):
// best[i] = source[i · stride] when that is greater, for i in 0..<count, so
// a NaN already in best stays and one in source is skipped.
void onyx_strided_max_f32(float *restrict best, const float *restrict source, size_t stride, size_t count);

// The sum of values[0..<count]: 64 interleaved partial sums over the
// blocks of 64 (value i to partial i mod 64), folded to 16 and joined by
// the blocks of 16 left, the 16 added as a tree, then the last count mod 16
// values one by one: the same result on every CPU.
float onyx_sum_f32(const float *values, size_t count);

// HardSwish: out[i] = x[i] · max(0, min(1, alpha · x[i] + beta)), a product
// and a sum rounded apart.
void onyx_hard_swish_f32(const float *restrict x, float *restrict out, size_t count, float alpha, float beta);

// Winograd F(2×2, 3×3) convolution transforms (onyx_vector_loops.c has the
// formulas). Filters: G·g·Gᵀ of each 3×3 filter of weights[outputs][channels],
// value k to u[k·outputs·channels + output·channels + channel].
void onyx_winograd_f23_filters(const float *restrict weights, size_t outputs, size_t channels, float *restrict u);

// Bᵀ·d·B of the 4×4 tiles first..<first + count of a zero-padded plane
// `width` wide, `tilesPerRow` tiles to a row (tile t at row 2·(t / tilesPerRow),
// column 2·(t % tilesPerRow)); value k of tile t to out[k·matrixStride + t - first].
void onyx_winograd_f23_input(
    const float *restrict plane, size_t width, size_t tilesPerRow, size_t first, size_t count, float *restrict out,
    size_t matrixStride);

// Aᵀ·m·A + bias of the same tiles (value k of tile t at
// m[k·matrixStride + t - first]) into their 2×2 blocks of a rows × columns
// output plane, what falls past its edges dropped.
void onyx_winograd_f23_output(
    const float *restrict m, size_t matrixStride, size_t tilesPerRow, size_t first, size_t count, float bias,
    float *restrict out, size_t rows, size_t columns);

#endif
