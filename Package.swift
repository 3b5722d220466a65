// swift-tools-version:6.0
// kafscope: a terminal UI for Kafka clusters. The target graph below is the
// layering: bytes -> protocol -> client -> admin -> model -> views -> curses.
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]

let package = Package(
    name: "kafscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kafscope", targets: ["kafscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-ssh.git", from: "0.15.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // System libraries (Debian -dev packages).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),

        // Bytes and the Kafka protocol.
        // CRC-32C with the CPU's instruction (C: Swift has no intrinsic for it); KafkaWire falls back to tables.
        .target(name: "CCRC32C"),
        .target(name: "KafkaWire", dependencies: ["CCRC32C"]),
        .target(name: "KafkaProtocol", dependencies: ["KafkaWire"]),
        .executableTarget(name: "KafkaCodegen"),
        .target(name: "KafkaRecords", dependencies: ["KafkaWire", "CZlib", "CZstd", "CLZ4", "CSnappy"]),

        // How a connection authenticates and is encrypted (secrets, SASL): one type per concept,
        // shared by the configuration and the client. No I/O.
        .target(name: "ConnectionSecurity"),

        // Network clients.
        .target(name: "KafkaClient", dependencies: ["KafkaWire", "KafkaProtocol", "KafkaRecords", "ConnectionSecurity",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ] + nio),
        // The SSH jump host: broker connections as direct-tcpip channels of one SSH connection.
        .target(name: "SSHTunnel", dependencies: ["KafkaClient", "ClusterModel", "ConnectionSecurity",
            .product(name: "NIOSSH", package: "swift-nio-ssh"),
            .product(name: "NIOSOCKS", package: "swift-nio-extras"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ] + nio),
        .target(name: "KafkaAdmin", dependencies: ["KafkaClient", "KafkaProtocol", "KafkaRecords", "ClusterModel", "LagHealth",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "KafkaProducer", dependencies: ["KafkaClient", "KafkaProtocol", "KafkaRecords",
            .product(name: "Logging", package: "swift-log"),
        ] + nio),
        .target(name: "KafkaConnect", dependencies: ["ClusterModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ] + nio),

        // Schema Registry formats: decoders with no network in them, then the registry's REST client.
        .target(name: "SchemaCodecs"),
        .target(name: "SchemaRegistry", dependencies: ["SchemaCodecs", "ClusterModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ] + nio),

        // Pure model and views: no NIO, no curses, no wire types.
        .target(name: "ClusterModel", dependencies: ["LagHealth"]),
        // The one write flow (check -> confirm -> send -> settle -> report) as a pure state machine.
        .target(name: "WriteFlow", dependencies: ["ClusterModel"]),
        // Lag health (Burrow-style status, rates, ETA) from offset samples: pure, no clock.
        .target(name: "LagHealth", dependencies: [.product(name: "Collections", package: "swift-collections")]),
        .target(name: "TerminalCore", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        .target(name: "BrowserCore", dependencies: ["ClusterModel", "LagHealth", "TerminalCore", "WriteFlow",
            .product(name: "Collections", package: "swift-collections")]),

        // The only code that touches curses.
        .target(name: "TerminalNCurses", dependencies: ["CNCursesW", "TerminalCore"]),

        // Configuration files: TOML contexts and Kafka .properties.
        .target(name: "KafscopeConfig", dependencies: ["ConnectionSecurity", .product(name: "TOMLKit", package: "TOMLKit")]),

        // Wiring: commands, output formats, concrete services, the UI loop.
        .target(name: "KafscopeApp", dependencies: [
            "KafkaClient", "KafkaAdmin", "KafkaConnect", "KafkaProducer", "ClusterModel", "BrowserCore", "WriteFlow",
            "TerminalCore", "TerminalNCurses", "KafscopeConfig", "SSHTunnel", "LagHealth", "SchemaCodecs", "SchemaRegistry",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "kafscope", dependencies: ["KafscopeApp"]),

        // Benchmarks (run by scripts/bench, never by the test suite).
        .executableTarget(name: "KafscopeBench", dependencies: [
            "KafkaWire", "KafkaProtocol", "KafkaRecords", "BrowserCore", "TerminalCore", "ClusterModel",
            "KafkaClient", "KafkaAdmin", "SchemaCodecs",
        ]),

        // Test-only helpers: peer launchers, fixtures, snapshot assertions.
        .target(name: "KafkaTestSupport", dependencies: ["ClusterModel", "LagHealth", "TerminalCore"], path: "Tests/KafkaTestSupport"),

        .testTarget(name: "KafkaWireTests", dependencies: ["KafkaWire"]),
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol", "KafkaWire", "KafkaTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "KafkaRecordsTests", dependencies: ["KafkaRecords", "KafkaWire", "KafkaTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient", "KafkaAdmin", "KafkaProtocol", "KafkaRecords", "KafkaWire",
            "KafkaTestSupport", "KafscopeConfig"] + nio),
        .testTarget(name: "KafkaProducerTests", dependencies: ["KafkaProducer", "KafkaClient", "KafkaProtocol", "KafkaRecords",
            "KafkaWire", "KafkaTestSupport"] + nio),
        .testTarget(name: "KafkaConnectTests", dependencies: ["KafkaConnect", "KafkaTestSupport"]),
        .testTarget(name: "TerminalCoreTests", dependencies: ["TerminalCore"]),
        .testTarget(name: "WriteFlowTests", dependencies: ["WriteFlow", "ClusterModel"]),
        .testTarget(name: "LagHealthTests", dependencies: ["LagHealth"]),
        .testTarget(name: "BrowserCoreTests", dependencies: ["BrowserCore", "ClusterModel", "TerminalCore", "KafkaTestSupport", "WriteFlow"],
            exclude: ["__Snapshots__"]),
        .testTarget(name: "KafscopeAppTests", dependencies: ["KafscopeApp", "KafscopeConfig", "KafkaClient", "KafkaConnect",
            "KafkaTestSupport", "KafkaAdmin", "WriteFlow"]),
        .testTarget(name: "SchemaCodecsTests", dependencies: ["SchemaCodecs", "SchemaRegistry", "KafkaTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["KafkaTestSupport"]),
        // Decodes keys through the ncurses adapter on a pty (KeyDecodingPtyTests); not shipped.
        .executableTarget(name: "kafscope-keyprobe", dependencies: ["TerminalNCurses", "TerminalCore"], path: "Tests/KeyProbe"),
        .testTarget(name: "SSHTunnelTests", dependencies: ["SSHTunnel", "KafkaClient", "KafkaTestSupport", "ClusterModel",
            .product(name: "NIOSSH", package: "swift-nio-ssh")] + nio),
    ]
)
