import BrowserCore
import TerminalCore
import Testing

/// The header names the SSH jump host a context goes through (issue 19 item 5).
@Suite struct JumpHostHeaderTests {
    func headerLine(jumpHost: String?, width: Int) async -> String {
        var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu", "staging"])
        o.jumpHost = jumpHost
        let h = await Harness.at(.topics, size: Size(width: width, height: 24), options: o)
        return String(h.text().split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    @Test func theFirstHeaderLineSaysWhichJumpHost() async {
        let line = await headerLine(jumpHost: "ops@bastion.example:2222", width: 120)
        #expect(line.contains("ctx prod-eu"), "\(line)")
        #expect(line.contains("via ssh ops@bastion.example:2222"), "\(line)")
        let direct = await headerLine(jumpHost: nil, width: 120)
        #expect(!direct.contains("via ssh"), "\(direct)")
    }

    /// On a narrow terminal the cluster details give way first; the route stays (cut at the edge).
    @Test func aNarrowHeaderKeepsTheRoute() async {
        let line = await headerLine(jumpHost: "ops@bastion.example:2222", width: 40)
        #expect(line.contains("ctx prod-eu"), "\(line)")
        #expect(line.contains("via ssh ops@"), "\(line)")
    }
}
