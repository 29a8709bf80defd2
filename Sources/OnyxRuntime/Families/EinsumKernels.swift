import OnyxIR

/// Kernels of the Einsum family.
enum EinsumKernels {
    static let table: [KernelRegistration] = []
}
