import OnyxIR

/// Kernels of the Indexing family.
enum IndexingKernels {
    static let table: [KernelRegistration] = []
}
