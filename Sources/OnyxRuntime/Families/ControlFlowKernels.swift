import OnyxIR

/// Kernels of the ControlFlow family.
enum ControlFlowKernels {
    static let table: [KernelRegistration] = []
}
