import Foundation
import Testing
@testable import KafkaClient

@Suite struct SCRAMTests {
    static let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"

    @Test func rfc7677SHA256Vector() throws {
        var c = ScramClient(hash: .sha256, username: "user", password: Secret("pencil"), nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(String(decoding: c.clientFirstMessage(), as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try c.handleServerFirst(Array(Self.serverFirst.utf8))
        #expect(String(decoding: final, as: UTF8.self)
            == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try c.handleServerFinal(Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        #expect(c.isComplete)
    }

    /// Same exchange with SHA-512; expected values computed independently with Python hashlib.
    @Test func sha512Exchange() throws {
        var c = ScramClient(hash: .sha512, username: "user", password: Secret("pencil"), nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = c.clientFirstMessage()
        let final = String(decoding: try c.handleServerFirst(Array(Self.serverFirst.utf8)), as: UTF8.self)
        #expect(final.hasSuffix(",p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ=="))
        try c.handleServerFinal(Array("v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==".utf8))
        #expect(c.isComplete)
    }

    @Test func wrongServerSignatureIsRejected() throws {
        var c = ScramClient(hash: .sha256, username: "user", password: Secret("pencil"), nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = c.clientFirstMessage()
        _ = try c.handleServerFirst(Array(Self.serverFirst.utf8))
        #expect(throws: SASLError.self) {
            try c.handleServerFinal(Array("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        }
        #expect(!c.isComplete)
    }

    @Test func serverNonceMustExtendClientNonce() {
        var c = ScramClient(hash: .sha256, username: "user", password: Secret("pencil"), nonce: "abc")
        _ = c.clientFirstMessage()
        #expect(throws: SASLError.self) { try c.handleServerFirst(Array("r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)) }
    }

    @Test func tooFewIterationsAreRejected() {
        var c = ScramClient(hash: .sha256, username: "user", password: Secret("pencil"), nonce: "abc")
        _ = c.clientFirstMessage()
        #expect(throws: SASLError.self) { try c.handleServerFirst(Array("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000".utf8)) }
    }

    @Test func serverErrorIsReported() {
        var c = ScramClient(hash: .sha256, username: "user", password: Secret("pencil"), nonce: "abc")
        _ = c.clientFirstMessage()
        do {
            _ = try c.handleServerFirst(Array("e=unknown-user".utf8))
            Issue.record("expected failure")
        } catch {
            #expect("\(error)".contains("unknown-user"))
        }
    }

    @Test func userNameIsEscaped() {
        var c = ScramClient(hash: .sha256, username: "a=b,c", password: Secret("x"), nonce: "n1")
        #expect(String(decoding: c.clientFirstMessage(), as: UTF8.self) == "n,,n=a=3Db=2Cc,r=n1")
    }

    @Test func generatedNonceIsPrintableWithoutCommas() {
        let n = ScramClient.makeNonce()
        #expect(n.count >= 24)
        #expect(!n.contains(","))
        #expect(n != ScramClient.makeNonce())
    }

    @Test func plainMessageLayout() {
        #expect(PlainSASL.initialResponse(username: "alice", password: Secret("pw")) == [0] + Array("alice".utf8) + [0] + Array("pw".utf8))
    }

    @Test func secretNeverPrints() {
        let s = Secret("hunter2")
        #expect("\(s)" == "***")
        #expect(String(reflecting: s) == "Secret(***)")
        let settings = SASLSettings(mechanism: .plain, username: "u", password: s)
        #expect(!"\(settings)".contains("hunter2"))
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(s.reveal() == "hunter2")
    }
}
