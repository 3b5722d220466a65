"""Groups: FindCoordinator, ListGroups, DescribeGroups (classic), ConsumerGroupDescribe (KIP-848),
OffsetFetch. Scenario "groups": {"<id>": {"type": "classic"|"consumer", "state", "coordinator",
"protocol_type", "protocol", "epoch", "assignor", "members": [{"member_id", "instance_id", "client_id",
"host", "rack", "assignment": {"topic": [partitions]}, "subscribed": [topics]}],
"committed": {"topic": {"partition": offset}}, "error": code}}.
Classic member assignments are encoded with kafka-python's ConsumerProtocolAssignment."""

from kafka.protocol.admin import DescribeGroupsRequest, ListGroupsRequest
from kafka.protocol.consumer import OffsetFetchRequest
from kafka.protocol.consumer.metadata import ConsumerProtocolAssignment, ConsumerProtocolSubscription
from kafka.protocol.metadata import FindCoordinatorRequest

from .. import core, messages

NOT_COORDINATOR = 16
GROUP_ID_NOT_FOUND = 69


def groups(ctx):
    return ctx.scenario.get("groups", {})


def coordinator(ctx, group_id):
    g = groups(ctx).get(group_id)
    if g is not None and "coordinator" in g:
        return g["coordinator"]
    ids = ctx.cluster.broker_ids
    return ids[sum(group_id.encode()) % len(ids)]


@core.handles(FindCoordinatorRequest)
def find_coordinator(ctx, req):
    R = ctx.Response
    brokers = {b["id"]: b for b in ctx.cluster.brokers()}
    keys = list(req.coordinator_keys) if ctx.version >= 4 else [req.key]

    def locate(key):
        b = brokers[coordinator(ctx, key)]
        return b["id"], b["host"], b["port"]

    if ctx.version >= 4:
        coords = []
        for k in keys:
            node, host, port = locate(k)
            coords.append(R.Coordinator(key=k, node_id=node, host=host, port=port, error_code=0, error_message=None))
        ctx.note = {"names": keys}
        return ctx.respond(throttle_time_ms=0, coordinators=coords)
    node, host, port = locate(req.key)
    ctx.note = {"names": keys}
    return ctx.respond(throttle_time_ms=0, error_code=0, error_message=None, node_id=node, host=host, port=port)


@core.handles(ListGroupsRequest)
def list_groups(ctx, req):
    R = ctx.Response
    states = set(req.states_filter or [])
    types = set(t.lower() for t in (req.types_filter or []))
    out = []
    for gid, g in sorted(groups(ctx).items()):
        if coordinator(ctx, gid) != ctx.broker:
            continue
        if states and g.get("state", "Stable") not in states:
            continue
        gtype = g.get("type", "classic")
        if types and gtype not in types:
            continue
        out.append(R.ListedGroup(group_id=gid, protocol_type=g.get("protocol_type", "consumer"),
                                 group_state=g.get("state", "Stable"), group_type=gtype))
    return ctx.respond(throttle_time_ms=0, error_code=0, groups=out)


def assignment_bytes(member):
    tps = [ConsumerProtocolAssignment.TopicPartition(topic=t, partitions=ps)
           for t, ps in sorted(member.get("assignment", {}).items())]
    return bytes(ConsumerProtocolAssignment(version=0, assigned_partitions=tps, user_data=None).encode())


def subscription_bytes(member):
    topics = member.get("subscribed", sorted(member.get("assignment", {})))
    return bytes(ConsumerProtocolSubscription(version=0, topics=topics, user_data=None).encode())


@core.handles(DescribeGroupsRequest)
def describe_groups(ctx, req):
    R = ctx.Response
    out = []
    for gid in req.groups:
        g = groups(ctx).get(gid)
        D = R.DescribedGroup
        if coordinator(ctx, gid) != ctx.broker:
            out.append(D(error_code=NOT_COORDINATOR, group_id=gid, group_state="", protocol_type="", protocol_data="", members=[]))
            continue
        if g is None:
            # Kafka answers a missing classic group as Dead with no members (no error) before v6.
            code = GROUP_ID_NOT_FOUND if ctx.version >= 6 else 0
            out.append(D(error_code=code, group_id=gid, group_state="Dead", protocol_type="", protocol_data="", members=[]))
            continue
        if g.get("type", "classic") != "classic" and ctx.version >= 6:
            out.append(D(error_code=GROUP_ID_NOT_FOUND, error_message=f"Group {gid} is not a classic group.",
                         group_id=gid, group_state="Dead", protocol_type="", protocol_data="", members=[]))
            continue
        members = [D.DescribedGroupMember(
            member_id=m["member_id"], group_instance_id=m.get("instance_id"), client_id=m.get("client_id", ""),
            client_host=m.get("host", ""), member_metadata=subscription_bytes(m), member_assignment=assignment_bytes(m))
            for m in g.get("members", [])]
        out.append(D(error_code=g.get("error", 0), error_message=None, group_id=gid, group_state=g.get("state", "Stable"),
                     protocol_type=g.get("protocol_type", "consumer"), protocol_data=g.get("protocol", "range"),
                     members=members))
    ctx.note = {"names": list(req.groups)}
    return ctx.respond(throttle_time_ms=0, groups=out)


ConsumerGroupDescribeRequest = messages.by_name("ConsumerGroupDescribeRequest")


@core.handles(ConsumerGroupDescribeRequest)
def consumer_group_describe(ctx, req):
    R = ctx.Response
    D = R.DescribedGroup
    c = ctx.cluster
    out = []
    for gid in req.group_ids:
        g = groups(ctx).get(gid)
        if coordinator(ctx, gid) != ctx.broker:
            out.append(D(error_code=NOT_COORDINATOR, group_id=gid, members=[]))
            continue
        if g is None or g.get("type", "classic") != "consumer":
            out.append(D(error_code=GROUP_ID_NOT_FOUND, error_message=f"Group {gid} is not a consumer group.",
                         group_id=gid, members=[]))
            continue
        M = D.Member

        def assignment(spec):
            return M.Assignment(topic_partitions=[
                M.Assignment.TopicPartitions(topic_id=c.topic_id(t), topic_name=t, partitions=ps)
                for t, ps in sorted(spec.items())])

        members = [M(member_id=m["member_id"], instance_id=m.get("instance_id"), rack_id=m.get("rack"),
                     member_epoch=m.get("epoch", g.get("epoch", 1)), client_id=m.get("client_id", ""),
                     client_host=m.get("host", ""), subscribed_topic_names=m.get("subscribed", sorted(m.get("assignment", {}))),
                     subscribed_topic_regex=None, assignment=assignment(m.get("assignment", {})),
                     target_assignment=assignment(m.get("target", m.get("assignment", {}))))
                   for m in g.get("members", [])]
        out.append(D(error_code=g.get("error", 0), error_message=None, group_id=gid, group_state=g.get("state", "Stable"),
                     group_epoch=g.get("epoch", 1), assignment_epoch=g.get("epoch", 1),
                     assignor_name=g.get("assignor", g.get("protocol", "uniform")), members=members,
                     authorized_operations=-2147483648))
    ctx.note = {"names": list(req.group_ids)}
    return ctx.respond(throttle_time_ms=0, groups=out)


@core.handles(OffsetFetchRequest)
def offset_fetch(ctx, req):
    R = ctx.Response

    def partitions(gid, wanted_topics):
        g = groups(ctx).get(gid, {})
        committed = g.get("committed", {})
        result = []
        if wanted_topics is None:
            wanted_topics = [(t, None) for t in sorted(committed)]
        for t, idx in wanted_topics:
            offsets = committed.get(t, {})
            parts = idx if idx is not None else sorted(int(p) for p in offsets)
            result.append((t, [(p, offsets.get(str(p), -1)) for p in parts]))
        return result

    if ctx.version >= 8:
        out = []
        for rg in req.groups:
            wanted = None if rg.topics is None else [(t.name, list(t.partition_indexes)) for t in rg.topics]
            G = R.OffsetFetchResponseGroup
            if coordinator(ctx, rg.group_id) != ctx.broker:
                out.append(G(group_id=rg.group_id, topics=[], error_code=NOT_COORDINATOR))
                continue
            topics = [G.OffsetFetchResponseTopics(name=t, topic_id=ctx.cluster.topic_id(t), partitions=[
                G.OffsetFetchResponseTopics.OffsetFetchResponsePartitions(
                    partition_index=p, committed_offset=o, committed_leader_epoch=-1, metadata="", error_code=0)
                for p, o in ps]) for t, ps in partitions(rg.group_id, wanted)]
            out.append(G(group_id=rg.group_id, topics=topics, error_code=0))
        ctx.note = {"names": [g.group_id for g in req.groups]}
        return ctx.respond(throttle_time_ms=0, groups=out)
    if coordinator(ctx, req.group_id) != ctx.broker:
        return ctx.respond(throttle_time_ms=0, topics=[], error_code=NOT_COORDINATOR)
    wanted = None if req.topics is None else [(t.name, list(t.partition_indexes)) for t in req.topics]
    T = R.OffsetFetchResponseTopic
    topics = [T(name=t, partitions=[T.OffsetFetchResponsePartition(
        partition_index=p, committed_offset=o, committed_leader_epoch=-1, metadata="", error_code=0) for p, o in ps])
        for t, ps in partitions(req.group_id, wanted)]
    ctx.note = {"names": [req.group_id]}
    return ctx.respond(throttle_time_ms=0, topics=topics, error_code=0)
