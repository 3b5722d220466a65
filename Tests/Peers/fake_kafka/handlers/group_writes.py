"""Group writes, answered as Kafka's group coordinator does for a commit from outside the group:
OffsetCommit, OffsetDelete, DeleteGroups. They change the scenario's "groups" (committed offsets,
the group itself), so a later OffsetFetch/ListGroups sees the result.

Refusals follow Kafka: a group with members refuses an outside commit (UNKNOWN_MEMBER_ID per partition),
DeleteGroups of a group with members is NON_EMPTY_GROUP, OffsetDelete of a topic the group's members
subscribe to is GROUP_SUBSCRIBED_TO_TOPIC. The scenario can add per-partition refusals:
groups.<id>.commit_errors = {"topic": {"partition": code}} (e.g. 3 UNKNOWN_TOPIC_OR_PARTITION)."""

from kafka.protocol.admin import DeleteGroupsRequest
from kafka.protocol.consumer.group import OffsetCommitRequest, OffsetDeleteRequest

from .. import core
from .groups import GROUP_ID_NOT_FOUND, NOT_COORDINATOR, coordinator, groups

UNKNOWN_TOPIC_OR_PARTITION = 3
UNKNOWN_MEMBER_ID = 25
NON_EMPTY_GROUP = 68
GROUP_SUBSCRIBED_TO_TOPIC = 86


def _has_members(group):
    return bool(group.get("members"))


def _subscribed_topics(group):
    topics = set()
    for m in group.get("members", []):
        topics.update(m.get("subscribed", m.get("assignment", {}).keys()))
    return topics


@core.handles(OffsetCommitRequest)
def offset_commit(ctx, req):
    R = ctx.Response
    T = R.OffsetCommitResponseTopic
    P = T.OffsetCommitResponsePartition
    gid = req.group_id
    outside = req.generation_id_or_member_epoch < 0 and not req.member_id
    g = groups(ctx).get(gid)
    committed = []

    def refusal(topic, partition):
        if coordinator(ctx, gid) != ctx.broker:
            return NOT_COORDINATOR
        if g is not None and outside and _has_members(g):
            return UNKNOWN_MEMBER_ID
        if ctx.cluster.partition(topic, partition) is None:
            return UNKNOWN_TOPIC_OR_PARTITION
        scripted = (g or {}).get("commit_errors", {}).get(topic, {}).get(str(partition))
        return scripted or 0

    topics = []
    for rt in req.topics:
        parts = []
        for rp in rt.partitions:
            code = refusal(rt.name, rp.partition_index)
            if code == 0:
                if g is None:  # a commit creates the (empty) group, as Kafka does
                    g = groups(ctx).setdefault(gid, {"state": "Empty", "members": []})
                    ctx.scenario["groups"] = groups(ctx)
                g.setdefault("committed", {}).setdefault(rt.name, {})[str(rp.partition_index)] = rp.committed_offset
                committed.append(f"{rt.name}:{rp.partition_index}={rp.committed_offset}")
            parts.append(P(partition_index=rp.partition_index, error_code=code))
        topics.append(T(name=rt.name, partitions=parts))
    ctx.note = {"names": [gid], "committed": committed}
    return ctx.respond(throttle_time_ms=0, topics=topics)


@core.handles(OffsetDeleteRequest)
def offset_delete(ctx, req):
    R = ctx.Response
    T = R.OffsetDeleteResponseTopic
    P = T.OffsetDeleteResponsePartition
    gid = req.group_id
    if coordinator(ctx, gid) != ctx.broker:
        return ctx.respond(error_code=NOT_COORDINATOR, throttle_time_ms=0, topics=[])
    g = groups(ctx).get(gid)
    if g is None:
        return ctx.respond(error_code=GROUP_ID_NOT_FOUND, throttle_time_ms=0, topics=[])
    subscribed = _subscribed_topics(g)
    deleted = []
    topics = []
    for rt in req.topics:
        parts = []
        for rp in rt.partitions:
            if rt.name in subscribed:
                code = GROUP_SUBSCRIBED_TO_TOPIC
            else:
                code = 0
                if g.get("committed", {}).get(rt.name, {}).pop(str(rp.partition_index), None) is not None:
                    deleted.append(f"{rt.name}:{rp.partition_index}")
            parts.append(P(partition_index=rp.partition_index, error_code=code))
        topics.append(T(name=rt.name, partitions=parts))
        if not g.get("committed", {}).get(rt.name, True):
            del g["committed"][rt.name]
    ctx.note = {"names": [gid], "deleted": deleted}
    return ctx.respond(error_code=0, throttle_time_ms=0, topics=topics)


@core.handles(DeleteGroupsRequest)
def delete_groups(ctx, req):
    R = ctx.Response
    results = []
    for gid in req.groups_names:
        g = groups(ctx).get(gid)
        if coordinator(ctx, gid) != ctx.broker:
            code = NOT_COORDINATOR
        elif g is None:
            code = GROUP_ID_NOT_FOUND
        elif _has_members(g):
            code = NON_EMPTY_GROUP
        else:
            code = 0
            del groups(ctx)[gid]
        results.append(R.DeletableGroupResult(group_id=gid, error_code=code))
    ctx.note = {"names": list(req.groups_names)}
    return ctx.respond(throttle_time_ms=0, results=results)
