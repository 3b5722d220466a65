import Foundation
import TerminalCore
import TerminalNCurses

// Test helper (not shipped): opens the ncurses adapter on its terminal (a pty the test owns),
// and appends each decoded key's displayName as one line to the file named in argv[1].
// "ready" is written once curses is set up; ctrl-d ends the program.
let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/dev/null"
guard let log = fopen(path, "w") else { exit(3) }
setvbuf(log, nil, _IONBF, 0)
let terminal: NCursesTerminal
do {
    terminal = try NCursesTerminal()
} catch {
    fputs("error: \(error)\n", log)
    exit(2)
}
fputs("ready\n", log)
// No idle limit (a starved test may take long to send the next key): the probe ends on ctrl-d, on
// SIGHUP when the test closes the pty, or when the test process is gone (reparented).
let parent = getppid()
while getppid() == parent {
    guard let key = terminal.readKey(timeoutMilliseconds: 100) else { continue }
    if key == .ctrl("d") { break }
    if key == .resize { continue }  // a window change, not a key the test typed
    fputs(key.displayName + "\n", log)
}
terminal.shutdown()
fputs("done\n", log)
