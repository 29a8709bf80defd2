import OnyxIR

/// Kernels of the Logic family.
enum LogicKernels {
    static let table: [KernelRegistration] = []
}
