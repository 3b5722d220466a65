// kafscope-bench: micro-benchmarks, one sub-command per bench. Run in release:
//   swift run -c release --scratch-path .build-records KafscopeBench records [--runs N] [--batch-bytes N]
let args = Array(CommandLine.arguments.dropFirst())

switch args.first {
case "records":
    RecordsBench.run(Array(args.dropFirst()))
case "render":
    RenderBench.run(Array(args.dropFirst()))
case "firstpaint":
    await FirstPaintBench.run(Array(args.dropFirst()))
case "schema":
    SchemaBench.run(Array(args.dropFirst()))
case "lagstatus":
    await LagStatusBench.run(Array(args.dropFirst()))
default:
    print("""
    usage: kafscope-bench <bench> [options]
    benches:
      records   decode a Fetch v4 response body of 1 MB of 100-byte records, per codec
      render    draw the Topics screen with 20,000 rows; keypress-to-screen latency
      firstpaint BOOTSTRAP  time to the Topics screen's first frame (rows) and full frame (counts, sizes)
      schema    Avro and Protobuf decoding of a 12-field record to JSON, records/s on one core
      lagstatus BOOTSTRAP GROUPS_FILE  one refresh of many groups: lag only, + time lag, + status; requests per broker
    """)
}
