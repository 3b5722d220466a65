"""DescribeLogDirs: scenario "log_dirs": {"<broker id>": [{"path", "error", "total", "usable",
"partitions": [[topic, partition, size, offset_lag, is_future]]}]}; "log_dirs_error": {"<broker>": code}
answers a top-level error (v3+)."""

from kafka.protocol.admin import DescribeLogDirsRequest

from .. import core


@core.handles(DescribeLogDirsRequest)
def describe_log_dirs(ctx, req):
    R = ctx.Response
    s = ctx.scenario
    top_error = s.get("log_dirs_error", {}).get(str(ctx.broker), 0)
    if top_error:
        return ctx.respond(throttle_time_ms=0, error_code=top_error, results=[])
    wanted = None
    if req.topics is not None:
        wanted = {(t.topic, p) for t in req.topics for p in t.partitions}
    results = []
    for d in s.get("log_dirs", {}).get(str(ctx.broker), []):
        by_topic = {}
        for topic, partition, size, lag, future in d.get("partitions", []):
            if wanted is not None and (topic, partition) not in wanted:
                continue
            by_topic.setdefault(topic, []).append(
                R.DescribeLogDirsResult.DescribeLogDirsTopic.DescribeLogDirsPartition(
                    partition_index=partition, partition_size=size, offset_lag=lag, is_future_key=future))
        topics = [R.DescribeLogDirsResult.DescribeLogDirsTopic(name=n, partitions=ps) for n, ps in sorted(by_topic.items())]
        results.append(R.DescribeLogDirsResult(error_code=d.get("error", 0), log_dir=d["path"], topics=topics,
                                               total_bytes=d.get("total", -1), usable_bytes=d.get("usable", -1),
                                               is_cordoned=False))
    return ctx.respond(throttle_time_ms=0, error_code=0, results=results)
