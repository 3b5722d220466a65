import Testing
import KafkaProtocol
import KafkaWire

/// The byte-exact examples in design/protocol-notes.md §2.
@Suite struct WorkedExampleTests {
    @Test func metadataV12AllTopics() throws {
        let request = MetadataRequest(topics: nil, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false)
        let frame = try KafkaFraming.encodeRequest(request, version: 12, correlationId: 7, clientId: "kui")
        let expected = bytes(hex: """
            00 00 00 12
            00 03 00 0C 00 00 00 07
            00 03 6B 75 69
            00
            00
            00
            00
            00
            """)
        #expect(hex(frame) == hex(expected))
    }

    @Test func metadataV1AllTopics() throws {
        let frame = try KafkaFraming.encodeRequest(MetadataRequest(topics: nil), version: 1, correlationId: 7, clientId: "kui")
        #expect(hex(frame) == hex(bytes(hex: "00 00 00 11 00 03 00 01 00 00 00 07 00 03 6B 75 69 FF FF FF FF")))
    }

    @Test func metadataV12OneTopic() throws {
        let request = MetadataRequest(
            topics: [.init(topicId: .zero, name: "orders")], allowAutoTopicCreation: false)
        let body = try request.encoded(version: 12)
        let expected = [0x02] + [UInt8](repeating: 0, count: 16) + [0x07] + Array("orders".utf8) + [0x00]
            + [0x00, 0x00, 0x00]
        #expect(hex(body) == hex(expected))
    }

    @Test func allowAutoTopicCreationFalseCannotBeSentBeforeV4() throws {
        let request = MetadataRequest(topics: [.init(name: "orders")], allowAutoTopicCreation: false)
        #expect(throws: KafkaCodecError.fieldNotSupported(message: "MetadataRequest", field: "AllowAutoTopicCreation", version: 3)) {
            try request.encoded(version: 3)
        }
        #expect(throws: Never.self) { try request.encoded(version: 4) }
        // Ignorable fields are silently dropped instead: TopicId exists only from v10.
        let withId = MetadataRequest(topics: [.init(topicId: KafkaUUID(high: 1, low: 2), name: "orders")])
        let v9 = try withId.encoded(version: 9)
        let back = try MetadataRequest(bytes: v9, version: 9)
        #expect(back.topics?.first?.topicId == .zero)
        #expect(back.topics?.first?.name == "orders")
    }

    @Test func nonIgnorableFieldOnlyInMiddleVersions() throws {
        // IncludeClusterAuthorizedOperations exists only in v8-10.
        let request = MetadataRequest(topics: nil, includeClusterAuthorizedOperations: true)
        #expect(throws: Never.self) { try request.encoded(version: 10) }
        #expect(throws: KafkaCodecError.self) { try request.encoded(version: 11) }
        #expect(throws: KafkaCodecError.self) { try request.encoded(version: 7) }
    }

    @Test func nullWhereTheVersionForbidsIt() throws {
        // Topics becomes nullable only at v1; at v0 an empty list means "all topics".
        #expect(throws: KafkaCodecError.nullNotAllowed(message: "MetadataRequest", field: "Topics", version: 0)) {
            try MetadataRequest(topics: nil).encoded(version: 0)
        }
        #expect(try MetadataRequest(topics: []).encoded(version: 0) == [0, 0, 0, 0])
        // Decoding a null array at a non-nullable version is an error too.
        #expect(throws: WireError.unexpectedNull) { try MetadataRequest(bytes: [0xFF, 0xFF, 0xFF, 0xFF], version: 0) }
    }

    @Test func metadataResponseV12DecodesFieldByField() throws {
        var w = WireWriter()
        w.writeInt32(7)                      // correlation id
        w.writeUnsignedVarint(0)             // header tags (v1)
        w.writeInt32(0)                      // ThrottleTimeMs
        w.writeUnsignedVarint(2)             // Brokers: 1 element
        w.writeInt32(1)                      //   NodeId
        try w.writeCompactString("b1")       //   Host
        w.writeInt32(9092)                   //   Port
        try w.writeCompactNullableString(nil) // Rack
        w.writeUnsignedVarint(0)             //   tags
        try w.writeCompactNullableString("cluster-x") // ClusterId
        w.writeInt32(1)                      // ControllerId
        w.writeUnsignedVarint(2)             // Topics: 1 element
        w.writeInt16(0)                      //   ErrorCode
        try w.writeCompactNullableString("orders")
        w.writeUUID(KafkaUUID(high: 5, low: 6))
        w.writeBool(false)                   //   IsInternal
        w.writeUnsignedVarint(2)             //   Partitions: 1
        w.writeInt16(0); w.writeInt32(0); w.writeInt32(1); w.writeInt32(3)
        w.writeUnsignedVarint(2); w.writeInt32(1)   // replicas [1]
        w.writeUnsignedVarint(2); w.writeInt32(1)   // isr [1]
        w.writeUnsignedVarint(1)                    // offline []
        w.writeUnsignedVarint(0)                    // partition tags
        w.writeInt32(-2147483648)            //   TopicAuthorizedOperations
        w.writeUnsignedVarint(0)             //   topic tags
        w.writeUnsignedVarint(0)             // body tags
        let (corr, response) = try KafkaFraming.decodeResponse(MetadataRequest.self, version: 12, body: w.bytes)
        #expect(corr == 7)
        #expect(response.brokers == [.init(nodeId: 1, host: "b1", port: 9092, rack: nil)])
        #expect(response.clusterId == "cluster-x")
        #expect(response.controllerId == 1)
        let topic = try #require(response.topics.first)
        #expect(topic.name == "orders")
        #expect(topic.topicId == KafkaUUID(high: 5, low: 6))
        #expect(topic.partitions.first?.leaderEpoch == 3)
        #expect(topic.partitions.first?.offlineReplicas == [])
        #expect(try KafkaFraming.peekCorrelationId(w.bytes) == 7)
    }
}

@Suite struct FramingTests {
    @Test func apiVersionsResponseAlwaysUsesHeaderV0() throws {
        let response = ApiVersionsResponse(
            errorCode: 0, apiKeys: [.init(apiKey: 3, minVersion: 0, maxVersion: 12)], throttleTimeMs: 0)
        let frame = try KafkaFraming.encodeResponse(response, for: ApiVersionsRequest.self, version: 3, correlationId: 42)
        // size, correlation id, then directly the body (ErrorCode INT16 = 0): no header tag byte.
        #expect(Array(frame[4..<8]) == [0, 0, 0, 42])
        #expect(Array(frame[8..<10]) == [0, 0])
        let (corr, decoded) = try KafkaFraming.decodeResponse(ApiVersionsRequest.self, version: 3, body: Array(frame[4...]))
        #expect(corr == 42)
        #expect(decoded == response)
        #expect(try KafkaFraming.frameSize(prefix: Array(frame[0..<4])) == frame.count - 4)
    }

    @Test func flexibleResponsesUseHeaderV1() throws {
        let frame = try KafkaFraming.encodeResponse(MetadataResponse(), for: MetadataRequest.self, version: 9, correlationId: 1)
        #expect(frame[8] == 0) // header tag section
        // size 4 + corr 4 + tags 1 + throttle 4 + brokers 1 + cluster id 1 + controller 4 + topics 1 + cluster ops 4 + tags 1
        #expect(frame.count == 25)
        let old = try KafkaFraming.encodeResponse(MetadataResponse(), for: MetadataRequest.self, version: 8, correlationId: 1)
        // size 4 + corr 4 + throttle 4 + brokers 4 + cluster id 2 + controller 4 + topics 4 + cluster ops 4
        #expect(old.count == 30)
        #expect(Array(old[8..<12]) == [0, 0, 0, 0])
    }

    @Test func requestHeaderVersions() throws {
        #expect(KafkaFraming.requestHeaderVersion(apiKey: .metadata, apiVersion: 9, flexible: true) == 2)
        #expect(KafkaFraming.requestHeaderVersion(apiKey: .metadata, apiVersion: 8, flexible: false) == 1)
        #expect(KafkaFraming.requestHeaderVersion(apiKey: .controlledShutdown, apiVersion: 0, flexible: false) == 0)
        #expect(KafkaFraming.responseHeaderVersion(apiKey: .apiVersions, flexible: true) == 0)
        #expect(KafkaFraming.responseHeaderVersion(apiKey: .fetch, flexible: true) == 1)

        // Flexible request: header v2, ClientId still with an INT16 length, null client id = -1.
        let frame = try KafkaFraming.encodeRequest(ApiVersionsRequest(clientSoftwareName: "kafscope", clientSoftwareVersion: "1.0"),
                                                   version: 3, correlationId: 9, clientId: nil)
        #expect(Array(frame[4..<14]) == [0, 18, 0, 3, 0, 0, 0, 9, 0xFF, 0xFF])
        let parsed = try KafkaFraming.decodeRequest(ApiVersionsRequest.self, frame: Array(frame[4...]))
        #expect(parsed.header.apiKey == 18)
        #expect(parsed.header.clientId == nil)
        #expect(parsed.request.clientSoftwareName == "kafscope")
        #expect(throws: KafkaCodecError.self) {
            try KafkaFraming.encodeRequest(MetadataRequest(), version: 13, correlationId: 1, clientId: nil)
        }
    }

    @Test func hostileFramesThrow() {
        #expect(throws: WireError.self) { try KafkaFraming.frameSize(prefix: [0xFF, 0xFF, 0xFF, 0xFF]) }
        #expect(throws: WireError.self) { try KafkaFraming.frameSize(prefix: [0x7F, 0xFF, 0xFF, 0xFF]) }
        #expect(throws: WireError.self) { try KafkaFraming.peekCorrelationId([0, 1]) }
        #expect(throws: WireError.self) { try KafkaFraming.decodeResponse(MetadataRequest.self, version: 12, body: [0, 0, 0, 1]) }
    }
}

@Suite struct TaggedFieldTests {
    @Test func unknownTagsArePreservedAndSorted() throws {
        var response = DescribeClusterResponse(clusterId: "c")
        response.unknownTaggedFields = [UnknownTaggedField(tag: 9, data: [1, 2]), UnknownTaggedField(tag: 3, data: [])]
        let encoded = try response.encoded(version: 0)
        // The tag section is the last bytes: count 2, tag 3 size 0, tag 9 size 2 data.
        #expect(Array(encoded.suffix(7)) == [2, 3, 0, 9, 2, 1, 2])
        let back = try DescribeClusterResponse(bytes: encoded, version: 0)
        #expect(back.unknownTaggedFields == [UnknownTaggedField(tag: 3, data: []), UnknownTaggedField(tag: 9, data: [1, 2])])
        #expect(try back.encoded(version: 0) == encoded)
    }

    @Test func knownTaggedFieldsOnlyWhenNotDefault() throws {
        typealias P = FetchResponse.PartitionData
        let plain = P(partitionIndex: 1, records: [])
        let withLeader = P(partitionIndex: 1, currentLeader: .init(leaderId: 2, leaderEpoch: 7), records: [])
        let a = try FetchResponse(responses: [.init(topic: "t", partitions: [plain])]).encoded(version: 12)
        let b = try FetchResponse(responses: [.init(topic: "t", partitions: [withLeader])]).encoded(version: 12)
        #expect(b.count > a.count)
        let back = try FetchResponse(bytes: b, version: 12)
        #expect(back.responses.first?.partitions.first?.currentLeader.leaderId == 2)
        #expect(back.responses.first?.partitions.first?.currentLeader.leaderEpoch == 7)
        // At v11 the tagged field does not exist and it is not ignorable... CurrentLeader is not
        // ignorable in the schema, so sending it at v11 is an error.
        #expect(throws: KafkaCodecError.self) {
            try FetchResponse(responses: [.init(topic: "t", partitions: [withLeader])]).encoded(version: 11)
        }
    }

    @Test func hostileTagSectionsThrow() throws {
        // DescribeClusterRequest v0: IncludeClusterAuthorizedOperations bool, then tags.
        #expect(throws: WireError.self) { try DescribeClusterRequest(bytes: [0, 0x05, 0x01], version: 0) }
        #expect(throws: WireError.self) { try DescribeClusterRequest(bytes: [0, 0x01, 0x01, 0x7F], version: 0) }
        #expect(throws: WireError.self) { try DescribeClusterRequest(bytes: [0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], version: 0) }
    }
}

@Suite struct ErrorCodeTests {
    @Test func tableLookups() {
        let e = KafkaErrorCode.lookup(6)
        #expect(e.name == "NOT_LEADER_OR_FOLLOWER")
        #expect(e.isRetriable)
        #expect(KafkaErrorCode.lookup(-1).name == "UNKNOWN_SERVER_ERROR")
        #expect(KafkaErrorCode.lookup(0) == .none)
        #expect(KafkaErrorCode.lookup(35).name == "UNSUPPORTED_VERSION")
        #expect(!KafkaErrorCode.lookup(35).isRetriable)
        #expect(KafkaErrorCode.lookup(100).name == "UNKNOWN_TOPIC_ID")
        #expect(KafkaErrorCode.lookup(69).name == "GROUP_ID_NOT_FOUND")
        #expect(KafkaErrorCode.lookup(58).name == "SASL_AUTHENTICATION_FAILED")
        let unknown = KafkaErrorCode.lookup(999)
        #expect(unknown.name == "UNKNOWN_CODE_999")
        #expect(KafkaErrorCode.lookup(-2).name == "UNKNOWN_CODE_-2")
        #expect(Set(KafkaErrorCode.all.map(\.name)).count == KafkaErrorCode.all.count)
        #expect(KafkaErrorCode.all.count == 135)
        for (i, e) in KafkaErrorCode.all.enumerated() {
            #expect(Int(e.code) == i - 1)
            #expect(!e.explanation.isEmpty)
        }
    }

    @Test func protocolErrorDescription() {
        let err = KafkaProtocolError(code: 3, message: "no such topic", context: "Metadata")
        #expect(err.description.contains("UNKNOWN_TOPIC_OR_PARTITION"))
        #expect(err.description.contains("no such topic"))
        #expect(err.isRetriable)
        #expect(throws: KafkaProtocolError.self) { try KafkaProtocolError.check(29) }
        #expect(throws: Never.self) { try KafkaProtocolError.check(0) }
    }
}
