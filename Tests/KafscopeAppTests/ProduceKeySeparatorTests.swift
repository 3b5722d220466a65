import Testing
@testable import KafscopeApp

/// `produce -K SEP` reads kcat's escapes. Made to fail once by returning `Array(text.utf8)` from
/// `ProduceKeySeparator.bytes`: `\t` stayed a backslash and a `t` (and `\x` errors were not refused).
@Suite struct ProduceKeySeparatorTests {
    @Test func kcatsEscapesBecomeBytes() throws {
        #expect(try ProduceKeySeparator.bytes("\\t") == [0x09])
        #expect(try ProduceKeySeparator.bytes("\\r") == [0x0D])
        #expect(try ProduceKeySeparator.bytes("\\\\") == [0x5C])
        #expect(try ProduceKeySeparator.bytes("\\x1f") == [0x1F])
        #expect(try ProduceKeySeparator.bytes("\\x00") == [0x00])
        #expect(try ProduceKeySeparator.bytes("a\\tb\\x3a:") == Array("a\tb::".utf8))
        #expect(try ProduceKeySeparator.bytes("\\x7Fz") == [0x7F, UInt8(ascii: "z")])
    }

    @Test func plainTextAndUnknownEscapesStayAsTheyAre() throws {
        #expect(try ProduceKeySeparator.bytes("::") == Array("::".utf8))
        #expect(try ProduceKeySeparator.bytes("\\q") == Array("\\q".utf8))
        #expect(try ProduceKeySeparator.bytes("a\\") == Array("a\\".utf8))
        #expect(try ProduceKeySeparator.bytes("→") == Array("→".utf8))
    }

    @Test func separatorsThatCouldNeverSplitAreRefused() {
        #expect(throws: (any Error).self) { try ProduceKeySeparator.bytes("") }
        #expect(throws: (any Error).self) { try ProduceKeySeparator.bytes("\\xZZ") }
        #expect(throws: (any Error).self) { try ProduceKeySeparator.bytes("\\n") }
        #expect(throws: (any Error).self) { try ProduceKeySeparator.bytes("\\x0a") }
    }
}
