"""Metadata from the scenario's "brokers", "topics", "cluster_id" and "controller_id".

Topic: {"id": uuid?, "internal": bool, "error": code?, "partitions": [{"leader", "replicas", "isr",
"offline", "leader_epoch", "error"}]}. A partition with leader -1 answers LEADER_NOT_AVAILABLE (5)."""

from kafka.protocol.metadata import MetadataRequest

from .. import core


@core.handles(MetadataRequest)
def metadata(ctx, req):
    R, c, s = ctx.Response, ctx.cluster, ctx.scenario
    brokers = [R.MetadataResponseBroker(node_id=b["id"], host=b["host"], port=b["port"], rack=b.get("rack"))
               for b in c.brokers()]
    topics = c.topics()
    if req.topics is None or (ctx.version == 0 and not req.topics):
        wanted = sorted(topics)
    else:
        wanted = [t.name if t.name is not None else c.topic_by_id(t.topic_id) for t in req.topics]
    out = []
    for name in wanted:
        t = topics.get(name)
        if t is None:
            out.append(R.MetadataResponseTopic(error_code=3, name=name, partitions=[]))
            continue
        parts = []
        for i, p in enumerate(t.get("partitions", [])):
            leader = p.get("leader", -1)
            parts.append(R.MetadataResponseTopic.MetadataResponsePartition(
                error_code=p.get("error", 5 if leader < 0 else 0), partition_index=i, leader_id=leader,
                leader_epoch=p.get("leader_epoch", 0), replica_nodes=p.get("replicas", [leader]),
                isr_nodes=p.get("isr", [leader]), offline_replicas=p.get("offline", [])))
        out.append(R.MetadataResponseTopic(error_code=t.get("error", 0), name=name, topic_id=c.topic_id(name),
                                           is_internal=t.get("internal", False), partitions=parts))
    ctx.note = {"names": wanted}
    return ctx.respond(throttle_time_ms=0, brokers=brokers, cluster_id=s.get("cluster_id", "py-fake-cluster"),
                       controller_id=s.get("controller_id", c.broker_ids[0]), topics=out)
