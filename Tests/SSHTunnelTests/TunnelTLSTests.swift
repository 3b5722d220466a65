import Foundation
import KafkaTestSupport
import Testing

/// https:// Kafka Connect and Schema Registry URLs through the jump host: TLS runs end to end over
/// the direct-tcpip channel, with SNI and the certificate checked against the URL's host name (which
/// resolves only on the jump host), never against the loopback forwarder or the tunnel's endpoint.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TunnelTLSTests {
    /// A test CA and a server certificate for connect-qa and registry only: no IP address in it, so a
    /// client that checked 127.0.0.1 (a loopback forwarder) or the jump host's address would fail.
    static func makeCertificates(in dir: URL) async throws -> (ca: String, cert: String, key: String) {
        let env = try PeerEnvironment.locate()
        let out = try await ChildProcess.check([env.python.path, "-c", """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            from gateway import make_tls
            print(json.dumps(make_tls(sys.argv[2], hostnames=("connect-qa", "registry"), loopback_ip=False)))
            """, env.peersDirectory.path, dir.appendingPathComponent("tls").path])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        return (try #require(o["ca"] as? String), try #require(o["server_cert"] as? String), try #require(o["server_key"] as? String))
    }

    /// An HTTPS request made inside the namespace (Python, trusting `ca`), for test setup and control endpoints.
    static func inside(_ lab: JumpHostLab, _ method: String, _ url: String, ca: String, body: String? = nil) async throws -> String {
        let python = try PeerEnvironment.locate().python.path
        return try await lab.inside(python, "-c", """
            import ssl, sys, urllib.request
            ctx = ssl.create_default_context(cafile=sys.argv[3])
            data = sys.argv[4].encode() if len(sys.argv) > 4 else None
            req = urllib.request.Request(sys.argv[2], data=data, method=sys.argv[1],
                                         headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
            print(urllib.request.urlopen(req, context=ctx).read().decode())
            """, method, url, ca, body ?? "")
    }

    @Test func httpsConnectAndRegistryGoThroughTheJumpHostVerifiedAgainstTheURLsName() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let tls = try await Self.makeCertificates(in: lab.dir)
            let connect = try await lab.startConnectSimulator(extraArguments: ["--certfile", tls.cert, "--keyfile", tls.key])
            let registry = try await lab.startPeer("registry_sim.py", ["--certfile", tls.cert, "--keyfile", tls.key])
            _ = try await Self.inside(lab, "POST", "https://registry:\(registry.port)/subjects/orders-value/versions", ca: tls.ca,
                                      body: #"{"schema": "{\"type\": \"string\"}"}"#)
            // Nothing outside reaches either simulator: they listen on the namespace's loopback.
            try await lab.expectOnlyInside(connect.port, "the Connect simulator")
            try await lab.expectOnlyInside(registry.port, "the registry simulator")

            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap, extra: """
                connect = { qa = { url = "https://connect-qa:\(connect.port)", ca_file = "\(tls.ca)" } }
                schema_registry = { url = "https://registry:\(registry.port)", ca_file = "\(tls.ca)" }
                """)
            try k.trust(lab)

            let before = try await k.run(["get", "connectors", "-o", "json"])
            #expect(before.status == 0, "\(before.out)\(before.err)")
            let state = { (out: String) in jsonArray(out).first { $0["name"] as? String == "orders-source" }?["state"] as? String }
            #expect(state(before.out) == "RUNNING", "\(before.out)\(before.err)")
            let pause = try await k.run(["connector", "pause", "orders-source", "--connect", "qa", "--yes"])
            #expect(pause.status == 0, "\(pause.out)\(pause.err)")
            let after = try await k.run(["get", "connectors", "-o", "json"])
            #expect(state(after.out) == "PAUSED", "\(after.out)\(after.err)")

            // The worker was asked for its own name (SNI), not for an address.
            let sni = try await Self.inside(lab, "GET", "https://connect-qa:\(connect.port)/__sim/sni", ca: tls.ca)
            let names = Set((try? JSONSerialization.jsonObject(with: Data(sni.utf8))) as? [String] ?? [])
            #expect(names.contains("connect-qa"), "SNI seen by the worker: \(sni)")
            #expect(names.isSubset(of: ["connect-qa"]), "SNI seen by the worker: \(sni)")

            let subjects = try await k.run(["get", "subjects", "-o", "json"])
            #expect(subjects.status == 0, "\(subjects.out)\(subjects.err)")
            #expect(subjects.out.contains("orders-value"), "\(subjects.out)\(subjects.err)")
            // (lab.stop() kills whatever still runs in the namespace, also after a failure.)
            await connect.process.stop()
            await registry.process.stop()
        }
    }

    /// The same worker under another name that resolves to it on the jump host but that its
    /// certificate does not carry: refused as a certificate for another host, nothing sent.
    @Test func aCertificateForAnotherNameIsRefusedThroughTheJumpHost() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let tls = try await Self.makeCertificates(in: lab.dir)
            let connect = try await lab.startConnectSimulator(extraArguments: ["--certfile", tls.cert, "--keyfile", tls.key])
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap, extra: """
                connect = { qa = { url = "https://connect-alias:\(connect.port)", ca_file = "\(tls.ca)" } }
                """)
            try k.trust(lab)
            let r = try await k.run(["get", "connectors", "-o", "json"])
            #expect(r.status != 0, "\(r.out)\(r.err)")
            #expect(r.err.contains("TLS certificate is not valid for connect-alias"), "\(r.err)")
            let requests = try await Self.inside(lab, "GET", "https://connect-qa:\(connect.port)/__sim/requests", ca: tls.ca)
            #expect(!requests.contains("/connectors"), "no request may reach a worker whose certificate failed: \(requests)")
            await connect.process.stop()
        }
    }
}
