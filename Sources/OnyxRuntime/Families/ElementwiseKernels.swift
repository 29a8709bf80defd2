import OnyxIR

/// Kernels of the Elementwise family.
enum ElementwiseKernels {
    static let table: [KernelRegistration] = []
}
