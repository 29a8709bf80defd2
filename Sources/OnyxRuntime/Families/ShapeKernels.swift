import OnyxIR

/// Kernels of the Shape family.
enum ShapeKernels {
    static let table: [KernelRegistration] = []
}
