#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxCLI

// Whatever the parent left ignored, a filter ends when its reader does.
signal(SIGPIPE, SIG_DFL)
exit(OnyxCommand.run(Array(CommandLine.arguments.dropFirst())))
