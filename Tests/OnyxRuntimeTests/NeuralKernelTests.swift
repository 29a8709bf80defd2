import Testing
@testable import OnyxRuntime
import OnyxIR
import OnyxText
