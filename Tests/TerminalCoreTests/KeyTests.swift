import Testing
@testable import TerminalCore

@Suite("Keys and the recording device")
struct KeyTests {
    @Test func displayNames() {
        #expect(Key.ctrl("r").displayName == "ctrl-r")
        #expect(Key.pageDown.displayName == "PgDn")
        #expect(Key.pageUp.displayName == "PgUp")
        #expect(Key.enter.displayName == "Enter")
        #expect(Key.escape.displayName == "Esc")
        #expect(Key.character(" ").displayName == "Space")
        #expect(Key.character("G").displayName == "G")
        #expect(Key.alt("x").displayName == "alt-x")
        #expect(Key.function(5).displayName == "F5")
        #expect(Key.backTab.displayName == "Shift-Tab")
    }

    @Test func displayNamesRoundTrip() {
        let keys: [Key] = [.character("r"), .character("G"), .character(" "), .character("?"), .ctrl("r"), .alt("x"),
                           .up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape,
                           .backspace, .delete, .insert, .tab, .backTab, .function(1), .function(12), .resize]
        for k in keys {
            #expect(Key(displayName: k.displayName) == k, "\(k.displayName)")
        }
        #expect(Key(displayName: "pagedown") == .pageDown)
        #expect(Key(displayName: "nonsense") == nil)
        #expect(Key(displayName: "F99") == nil)
    }

    @Test func recordingDeviceScriptsKeysAndKeepsFrames() {
        let dev = RecordingDevice(size: Size(width: 10, height: 2), keys: [.character("j")])
        dev.type("ab")
        dev.enqueue(.enter)
        var got: [Key] = []
        while let k = dev.readKey(timeoutMilliseconds: 0) { got.append(k) }
        #expect(got == [.character("j"), .character("a"), .character("b"), .enter])
        #expect(dev.timeoutCount == 1)
        var b = CellBuffer(size: dev.size)
        b.put("hello", x: 0, y: 0)
        dev.present(b)
        dev.present(b)
        #expect(dev.presentCount == 2)
        #expect(dev.screenText == "hello     \n          ")
        dev.resize(to: Size(width: 20, height: 5))
        #expect(dev.size == Size(width: 20, height: 5))
        #expect(dev.readKey(timeoutMilliseconds: 0) == .resize)
    }

    @Test func colorModeDetection() {
        #expect(ColorMode.detect(colors: 256, environment: [:]) == .xterm256)
        #expect(ColorMode.detect(colors: 16, environment: [:]) == .ansi16)
        #expect(ColorMode.detect(colors: 8, environment: [:]) == .ansi8)
        #expect(ColorMode.detect(colors: 0, environment: [:]) == .none)
        #expect(ColorMode.detect(colors: 256, hasColors: false, environment: [:]) == .none)
        #expect(ColorMode.detect(colors: 256, environment: ["NO_COLOR": "1"]) == .none)
        // no-color.org: an empty NO_COLOR does not count.
        #expect(ColorMode.detect(colors: 256, environment: ["NO_COLOR": ""]) == .xterm256)
    }
}
