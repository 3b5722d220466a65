"""CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords: they change the scenario's "topics",
so Metadata, ListOffsets and DescribeConfigs show the result. validate_only is honoured (nothing
changes). Scenario keys read:
  "refuse": {"<api key>": {"<resource name>": [code, "message"]}}   a per-resource refusal
  "create_policy": {"min_replication_factor": 2, "message": "..."}   POLICY_VIOLATION (44) below it
  "default_partitions": 1, "default_replication_factor": 1          for -1 in CreateTopics
Known topic config names (others get INVALID_CONFIG) are KNOWN_TOPIC_CONFIGS plus any "known_configs"."""

from kafka.protocol.admin import CreatePartitionsRequest, CreateTopicsRequest, DeleteRecordsRequest, DeleteTopicsRequest

from .. import core

KNOWN_TOPIC_CONFIGS = {
    "cleanup.policy", "compression.type", "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms",
    "index.interval.bytes", "max.compaction.lag.ms", "max.message.bytes", "message.timestamp.type",
    "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate", "retention.bytes",
    "retention.ms", "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
    "unclean.leader.election.enable", "message.downconversion.enable",
}


def refusal(ctx, api_key, name):
    r = ctx.scenario.get("refuse", {}).get(str(api_key), {}).get(name)
    return (r[0], r[1]) if r else None


def config_problem(ctx, key, value):
    known = KNOWN_TOPIC_CONFIGS | set(ctx.scenario.get("known_configs", []))
    if key not in known:
        return 40, f"Unknown topic config name: {key}"
    if (key.endswith(".ms") or key.endswith(".bytes")) and not value.lstrip("-").isdigit():
        return 40, f"Invalid value {value} for configuration {key}: Not a number of type LONG"
    return None


def new_partitions(brokers, count, rf, start=0):
    out = []
    for i in range(start, start + count):
        replicas = [brokers[(i + k) % len(brokers)] for k in range(rf)]
        out.append({"leader": replicas[0], "replicas": replicas, "isr": list(replicas), "log_start": 0, "end": 0})
    return out


@core.handles(CreateTopicsRequest)
def create_topics(ctx, req):
    R, c, s = ctx.Response, ctx.cluster, ctx.scenario
    results = []
    for t in req.topics:
        partitions = t.num_partitions if t.num_partitions != -1 else s.get("default_partitions", 1)
        rf = t.replication_factor if t.replication_factor != -1 else s.get("default_replication_factor", 1)
        error = refusal(ctx, 19, t.name)
        policy = s.get("create_policy", {})
        if error is None and t.name in c.topics():
            error = (36, f"Topic '{t.name}' already exists.")
        if error is None and rf > len(c.broker_ids):
            error = (38, f"Replication factor: {rf} larger than available brokers: {len(c.broker_ids)}.")
        if error is None and partitions < 1:
            error = (37, f"Number of partitions was set to an invalid non-positive value.")
        if error is None and rf < policy.get("min_replication_factor", 0):
            error = (44, policy.get("message", f"replication factor must be at least {policy['min_replication_factor']}"))
        if error is None:
            for cfg in t.configs:
                error = config_problem(ctx, cfg.name, cfg.value or "")
                if error:
                    break
        out = R.CreatableTopicResult(name=t.name, topic_id=c.topic_id(t.name), error_code=0, error_message=None,
                                     topic_config_error_code=0, num_partitions=-1, replication_factor=-1, configs=[])
        if error:
            out.error_code, out.error_message = error
        else:
            out.num_partitions, out.replication_factor = partitions, rf
            if not req.validate_only:
                s.setdefault("topics", {})[t.name] = {"partitions": new_partitions(c.broker_ids, partitions, rf),
                                      "configs": {cfg.name: {"value": cfg.value, "source": 1} for cfg in t.configs}}
        results.append(out)
    if not req.validate_only:
        c.touch()
    ctx.note = {"names": [t.name for t in req.topics], "validate_only": req.validate_only}
    return ctx.respond(throttle_time_ms=0, topics=results)


@core.handles(DeleteTopicsRequest)
def delete_topics(ctx, req):
    R, c = ctx.Response, ctx.cluster
    names = [t.name for t in req.topics] if ctx.version >= 6 else list(req.topic_names)
    results = []
    for name in names:
        error = refusal(ctx, 20, name) or (None if name in c.topics() else (3, "This server does not host this topic-partition."))
        out = R.DeletableTopicResult(name=name, topic_id=c.topic_id(name), error_code=0, error_message=None)
        if error:
            out.error_code, out.error_message = error
        else:
            del c.topics()[name]
            from .fetch import state
            for key in [k for k in state(c).logs if k[0] == name]:
                del state(c).logs[key]
        results.append(out)
    c.touch()
    ctx.note = {"names": names}
    return ctx.respond(throttle_time_ms=0, responses=results)


@core.handles(CreatePartitionsRequest)
def create_partitions(ctx, req):
    R, c = ctx.Response, ctx.cluster
    results = []
    for t in req.topics:
        topic = c.topics().get(t.name)
        error = refusal(ctx, 37, t.name)
        if error is None and topic is None:
            error = (3, f"The topic '{t.name}' does not exist.")
        if error is None and t.count <= len(topic["partitions"]):
            have = len(topic["partitions"])
            error = (37, f"Topic currently has {have} partitions, which is higher than the requested {t.count}." if t.count < have
                     else f"Topic already has {have} partitions.")
        out = R.CreatePartitionsTopicResult(name=t.name, error_code=0, error_message=None)
        if error:
            out.error_code, out.error_message = error
        elif not req.validate_only:
            have = len(topic["partitions"])
            rf = len(topic["partitions"][0].get("replicas", [1])) if have else 1
            topic["partitions"].extend(new_partitions(c.broker_ids, t.count - have, rf, start=have))
        results.append(out)
    c.touch()
    ctx.note = {"names": [t.name for t in req.topics], "validate_only": req.validate_only}
    return ctx.respond(throttle_time_ms=0, results=results)


@core.handles(DeleteRecordsRequest)
def delete_records(ctx, req):
    R, c = ctx.Response, ctx.cluster
    from .fetch import bounds, partition_log
    topics = []
    for t in req.topics:
        parts = []
        for p in t.partitions:
            P = R.DeleteRecordsTopicResult.DeleteRecordsPartitionResult
            out = P(partition_index=p.partition_index, low_watermark=-1, error_code=0)
            spec = c.partition(t.name, p.partition_index)
            forced = refusal(ctx, 21, f"{t.name}:{p.partition_index}")
            if spec is None:
                out.error_code = 3
            elif forced:
                out.error_code = forced[0]
            elif spec.get("leader") != ctx.broker:
                out.error_code = 6
            else:
                start, end = bounds(c, t.name, p.partition_index)
                offset = end if p.offset == -1 else p.offset
                if offset > end or offset < 0:
                    out.error_code = 1
                else:
                    spec["log_start"] = max(start, offset)
                    partition_log(c, t.name, p.partition_index).log_start = spec["log_start"]
                    out.low_watermark = spec["log_start"]
            parts.append(out)
        topics.append(R.DeleteRecordsTopicResult(name=t.name, partitions=parts))
    c.touch()
    ctx.note = {"names": [t.name for t in req.topics]}
    return ctx.respond(throttle_time_ms=0, topics=topics)
