import Foundation
import KafscopeApp

// Before the concurrency runtime opens its first descriptor: with `>&-` its eventfd would
// otherwise become stdout and swallow the output.
StandardStreams.reserveStandardDescriptors()
Task { exit(await KafscopeMain.run()) }
dispatchMain()
