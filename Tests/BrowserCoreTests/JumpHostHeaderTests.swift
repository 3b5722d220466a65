import BrowserCore
import ClusterModel
import TerminalCore
import Testing

/// The header names the SSH jump host a context goes through (issue 19 item 5).
@Suite struct JumpHostHeaderTests {
    func headerLine(jumpHost: String?, width: Int, link: JumpHostLink? = nil, readOnly: Bool = false) async -> String {
        var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu", "staging"])
        o.jumpHost = jumpHost
        o.readOnly = readOnly
        var h = await Harness.at(.topics, size: Size(width: width, height: 24), options: o)
        if let link { h.send(.jumpHost(link)) }
        return String(h.text().split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    /// The link's state follows the destination on a wide terminal (issue 19 leftover: live status).
    @Test func aWideHeaderSaysWhetherTheJumpHostIsUp() async {
        let jump = "ops@bastion.example:2222"
        let up = await headerLine(jumpHost: jump, width: 120, link: .connected)
        #expect(up.contains("via ssh \(jump) ● connected"), "\(up)")
        let first = await headerLine(jumpHost: jump, width: 120, link: .connecting(attempt: 1))
        #expect(first.contains("via ssh \(jump) connecting…"), "\(first)")
        let again = await headerLine(jumpHost: jump, width: 120, link: .reconnecting(attempt: 3))
        #expect(again.contains("via ssh \(jump) ▲ reconnecting 3"), "\(again)")
        let lost = await headerLine(jumpHost: jump, width: 120, link: .lost("host key changed"))
        #expect(lost.contains("via ssh \(jump) ✖ lost: host key changed"), "\(lost)")
    }

    /// At 40 columns the state comes before the name, which is cut at the edge instead.
    @Test func aNarrowHeaderPutsTheLinkStateBeforeTheName() async {
        let jump = "ops@bastion.example:2222"
        let again = await headerLine(jumpHost: jump, width: 40, link: .reconnecting(attempt: 12))
        #expect(again.contains("ctx prod-eu"), "\(again)")
        #expect(again.contains("ssh ▲ reconnecting 12 op"), "\(again)")
        let lost = await headerLine(jumpHost: jump, width: 40, link: .lost("a long reason nobody can read here"), readOnly: true)
        #expect(lost.contains("[read-only]") && lost.contains("ssh ✖ lost"), "\(lost)")
        let up = await headerLine(jumpHost: jump, width: 40, link: .connected)
        #expect(up.contains("ssh ● connected"), "\(up)")
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
