import OnyxIR

/// Kernels of the Logic family: comparisons of any numeric type (and
/// strings for Equal) over numpy broadcasting, giving bools, and the
/// boolean And, Or, Xor, Not.
enum LogicKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Equal") { call throws(RuntimeError) in
            try compare(call, float: ==, double: ==, int: ==, uint: ==, string: ==)
        },
        KernelRegistration("Greater") { call throws(RuntimeError) in
            try compare(call, float: >, double: >, int: >, uint: >)
        },
        KernelRegistration("GreaterOrEqual") { call throws(RuntimeError) in
            try compare(call, float: >=, double: >=, int: >=, uint: >=)
        },
        KernelRegistration("Less") { call throws(RuntimeError) in
            try compare(call, float: <, double: <, int: <, uint: <)
        },
        KernelRegistration("LessOrEqual") { call throws(RuntimeError) in
            try compare(call, float: <=, double: <=, int: <=, uint: <=)
        },
        KernelRegistration("And") { call throws(RuntimeError) in try logical(call) { $0 && $1 } },
        KernelRegistration("Or") { call throws(RuntimeError) in try logical(call) { $0 || $1 } },
        KernelRegistration("Xor") { call throws(RuntimeError) in try logical(call) { $0 != $1 } },
        KernelRegistration("Not") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard case .bool(let v) = x.elements else { throw call.failure("Not takes bool, not \(x.dataType)") }
            return [DenseTensor(shape: x.shape, elements: .bool(v.map { !$0 }))]
        },
    ]

    /// `a op b` over the broadcast of inputs 0 and 1 (one type), as bools.
    private static func compare(
        _ call: KernelCall, float: (Float, Float) -> Bool, double: (Double, Double) -> Bool,
        int: (Int64, Int64) -> Bool, uint: (UInt64, UInt64) -> Bool, string: (([UInt8], [UInt8]) -> Bool)? = nil
    ) throws(RuntimeError) -> [DenseTensor?] {
        let (a, b) = try ElementwiseKernels.operands(call)
        guard a.dataType == b.dataType else { throw call.failure("inputs are \(a.dataType) and \(b.dataType), not one type") }
        let plan = try ElementwiseKernels.broadcast(call, [a.shape, b.shape])
        let result: [Bool]
        switch (a.elements, b.elements) {
        case (.float(let x), .float(let y)): result = plan.map(x, y, float)
        case (.double(let x), .double(let y)): result = plan.map(x, y, double)
        case (.string(let x), .string(let y)):
            guard let string else { throw call.failure("\(call.opType) does not take strings") }
            result = plan.map(x, y, string)
        default:
            guard let x = Numbers(a.elements), let y = Numbers(b.elements) else {
                throw call.failure("\(call.opType) does not take \(a.dataType)")
            }
            switch (x, y) {
            case (.float(let x), .float(let y)): result = plan.map(x, y, float)
            case (.double(let x), .double(let y)): result = plan.map(x, y, double)
            case (.int(let x), .int(let y)): result = plan.map(x, y, int)
            case (.uint(let x), .uint(let y)): result = plan.map(x, y, uint)
            default: throw call.failure("\(call.opType) does not take \(a.dataType)")
            }
        }
        return [DenseTensor(shape: plan.shape, elements: .bool(result))]
    }

    private static func logical(_ call: KernelCall, _ op: (Bool, Bool) -> Bool) throws(RuntimeError) -> [DenseTensor?] {
        let (a, b) = try ElementwiseKernels.operands(call)
        guard case .bool(let x) = a.elements, case .bool(let y) = b.elements else {
            throw call.failure("\(call.opType) takes bools, not \(a.dataType) and \(b.dataType)")
        }
        let plan = try ElementwiseKernels.broadcast(call, [a.shape, b.shape])
        return [DenseTensor(shape: plan.shape, elements: .bool(plan.map(x, y, op)))]
    }
}
