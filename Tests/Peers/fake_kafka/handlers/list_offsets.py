"""ListOffsets: -2 earliest ("log_start"), -1 latest ("end"), a timestamp answers the first offset of
the partition's records (their timestamps), or without records "timestamps" ([[ts, offset], ...]),
at or after it, else -1. Only the partition's leader answers.
Start and end come from the partition's records (fetch.py) or its "log_start"/"end"."""

from kafka.protocol.consumer import ListOffsetsRequest

from .. import core


@core.handles(ListOffsetsRequest)
def list_offsets(ctx, req):
    R, c = ctx.Response, ctx.cluster
    topics = []
    for rt in req.topics:
        parts = []
        for rp in rt.partitions:
            out = R.ListOffsetsTopicResponse.ListOffsetsPartitionResponse(
                partition_index=rp.partition_index, error_code=0, timestamp=-1, offset=-1, leader_epoch=-1)
            p = c.partition(rt.name, rp.partition_index)
            if p is None:
                out.error_code = 3
            elif p.get("leader") != ctx.broker:
                out.error_code = 6
            else:
                from .fetch import bounds, partition_log
                start, end = bounds(c, rt.name, rp.partition_index)
                if rp.timestamp == -2:
                    offset = start
                elif rp.timestamp == -1:
                    offset = end
                elif p.get("batches"):
                    offset = partition_log(c, rt.name, rp.partition_index).offset_for_time(rp.timestamp)
                else:
                    offset = next((o for ts, o in p.get("timestamps", []) if ts >= rp.timestamp), -1)
                out.offset = offset
                out.old_style_offsets = [offset]
                out.leader_epoch = p.get("leader_epoch", 0)
            parts.append(out)
        topics.append(R.ListOffsetsTopicResponse(name=rt.name, partitions=parts))
    return ctx.respond(throttle_time_ms=0, topics=topics)
