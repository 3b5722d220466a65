// libFuzzer entry: byte 0 picks the API, byte 1 the version, byte 2 response (even) or request
// (odd) side; the rest is the frame body. Built only by `scripts/fuzz --libfuzzer`.
import KafkaProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func kafkaFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 3 else { return 0 }
    let keys = ApiKey.allCases
    let api = keys[Int(data[0]) % keys.count]
    let range = api.requestType.validVersions
    let span = Int(range.upperBound - range.lowerBound) + 1
    let version = range.lowerBound + Int16(Int(data[1]) % span)
    let body = Array(UnsafeBufferPointer(start: data + 3, count: size - 3))
    if data[2] & 1 == 0 {
        _ = decodeResponse(api: api, version: version, body: body)
    } else {
        _ = decodeRequest(api: api, body: body)
    }
    return 0
}
