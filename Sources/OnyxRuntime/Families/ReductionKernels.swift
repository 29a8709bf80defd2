import OnyxIR

/// Kernels of the Reduction family.
enum ReductionKernels {
    static let table: [KernelRegistration] = []
}
