@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// A yes counts only when the dialog shows what it asks and its whole target: on a small terminal
/// the dialog cut off "orders-sink on Connect cluster QA" yet took `y`.
@Suite struct ConfirmSizeTests {
    static let target = "orders-sink on Connect cluster QA"

    /// At 30x6 the message fills the three text rows and the target is not drawn: `y` is refused and
    /// the screen says to enlarge it; at 40x7 (details cut, target shown) and after enlarging, `y` counts.
    /// Made to fail once by checking only `Layout.isTooSmall` again in `Updater.handleKey` (y paused the
    /// connector at 30x6).
    @Test func yIsRefusedWhileTheTargetIsCutOff() async throws {
        var h = try await WriteFlowUITests.onOrdersSink()
        h.press("pause")
        h.send(.resize(Size(width: 30, height: 6)))
        let cramped = h.text()
        #expect(!cramped.contains("orders-sink"), "\(cramped)")
        #expect(Self.contains(Self.words(cramped), ["enlarge", "to", "answer,"]), "\(cramped)")
        h.key(.character("y"))
        await h.settle()
        #expect(h.connect.performed.isEmpty, "\(h.connect.performed)")
        guard case .confirm = h.state.mode else { Issue.record("the dialog closed: \(h.state.mode)"); return }

        // Enter on Yes is a yes too.
        h.key(.left)
        h.key(.enter)
        await h.settle()
        #expect(h.connect.performed.isEmpty, "\(h.connect.performed)")

        h.send(.resize(Size(width: 40, height: 7)))
        let shown = h.text()
        #expect(shown.contains(Self.target), "\(shown)")
        h.key(.character("y"))
        await h.settle()
        #expect(h.connect.performed == ["pause QA/orders-sink"])
    }

    /// The check is the drawing's own layout: at every size from 20x5 to 60x16 the dialog takes a yes
    /// exactly when the rendered screen shows the message's start and the whole target.
    /// Made to fail once by leaving the target out of `Dialog.showsTargetInFull` (a yes taken with it cut off).
    @Test func answerableExactlyWhenTheTargetIsOnScreen() async throws {
        var h = try await WriteFlowUITests.onOrdersSink()
        h.press("pause")
        guard case .confirm(let intent, let dialog) = h.state.mode else { Issue.record("no dialog"); return }
        var answerable = 0
        for width in 20...60 {
            for height in 5...16 {
                let size = Size(width: width, height: height)
                let text = h.screen(size).text()
                // The cells inside the dialog's box (the screen around it may hold the same words).
                let box = ConfirmDialog.dialog(intent, dialog).frame(in: Rect(x: 0, y: 0, width: width, height: height))
                let inside = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(box.maxY).dropFirst(box.y)
                    .map { row in String(Array(row).dropFirst(box.x + 1).prefix(max(0, box.width - 2))) }
                    .joined(separator: "\n")
                // The message and target wrap at narrow widths: all their words, in order, in the box.
                let shown = Self.contains(Self.words(inside), Self.words("Really pause connector? y confirms, n or Esc cancels. " + Self.target))
                let ok = ConfirmDialog.isAnswerable(intent, dialog, size: size)
                #expect(ok == shown, "\(width)x\(height): answerable \(ok), message and target shown \(shown)\n\(text)")
                if ok { answerable += 1 }
            }
        }
        #expect(answerable > 0)
    }

    /// The words of a screen's text, frame lines left out.
    static func words(_ text: String) -> [String] {
        text.split { $0 == " " || $0 == "\n" || $0 == "│" }.map(String.init)
    }

    static func contains(_ words: [String], _ part: [String]) -> Bool {
        guard part.count <= words.count else { return false }
        return (0...(words.count - part.count)).contains { Array(words[$0..<($0 + part.count)]) == part }
    }
}
