import OnyxIR

/// Kernels of the LinearAlgebra family.
enum LinearAlgebraKernels {
    static let table: [KernelRegistration] = []
}
