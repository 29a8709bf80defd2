import OnyxIR

/// Kernels of the Pooling family.
enum PoolingKernels {
    static let table: [KernelRegistration] = []
}
