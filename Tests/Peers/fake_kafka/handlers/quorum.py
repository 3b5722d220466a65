"""DescribeQuorum for __cluster_metadata: scenario "quorum": {"leader", "epoch", "high_watermark",
"voters": [{"id", "leo", "last_fetch", "last_caught_up"}], "observers": [...]} (-1 when a time is
absent). Without "quorum", or with "quorum": {"error": code}, it answers that top-level error."""

import uuid

from kafka.protocol.admin import DescribeQuorumRequest

from .. import core


@core.handles(DescribeQuorumRequest)
def describe_quorum(ctx, req):
    R = ctx.Response
    q = ctx.scenario.get("quorum")
    if q is None or "error" in q:
        code = 87 if q is None else q["error"]
        return ctx.respond(error_code=code, error_message="no quorum in the fake's scenario", topics=[], nodes=[])
    P = R.TopicData.PartitionData

    def replicas(items):
        return [P.ReplicaState(replica_id=r["id"], replica_directory_id=uuid.UUID(int=0), log_end_offset=r["leo"],
                               last_fetch_timestamp=r.get("last_fetch", -1),
                               last_caught_up_timestamp=r.get("last_caught_up", -1)) for r in items]

    topics = []
    for t in req.topics:
        parts = [P(partition_index=p.partition_index, error_code=0, error_message=None, leader_id=q["leader"],
                   leader_epoch=q["epoch"], high_watermark=q["high_watermark"],
                   current_voters=replicas(q.get("voters", [])), observers=replicas(q.get("observers", [])))
                 for p in t.partitions]
        topics.append(R.TopicData(topic_name=t.topic_name, partitions=parts))
    nodes = [R.Node(node_id=b["id"], listeners=[R.Node.Listener(name="PLAINTEXT", host=b["host"], port=b["port"])])
             for b in ctx.cluster.brokers()]
    ctx.note = {"names": [t.topic_name for t in req.topics]}
    return ctx.respond(error_code=0, error_message=None, topics=topics, nodes=nodes)
