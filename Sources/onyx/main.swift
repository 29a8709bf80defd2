import Foundation
import OnyxCLI

exit(OnyxCommand.run(Array(CommandLine.arguments.dropFirst())))
