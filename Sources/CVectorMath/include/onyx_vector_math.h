#ifndef ONYX_VECTOR_MATH_H
#define ONYX_VECTOR_MATH_H

#include <stddef.h>

// exp and tanh over a run of float32 values, in place, through glibc's
// vector math library (libmvec: _ZGVbN4v_expf, _ZGVbN4v_tanhf, four lanes,
// the best implementation the CPU runs picked by glibc; within 4 ulp as
// glibc documents). Where libmvec lacks them (not x86-64, or glibc before
// 2.35) the scalar expf and tanhf of libm run instead. Every value goes
// through the same function, whatever its position in the run, so a
// value's result does not depend on the length of the run it is in.
void onyx_exp_f32(float *values, size_t count);
void onyx_tanh_f32(float *values, size_t count);

#endif
