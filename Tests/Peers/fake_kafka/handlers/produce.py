"""Produce and InitProducerId. Each batch is read with kafka-python's record reader (so its CRC and
layout are checked by code that is not kafscope's) and appended to the partition's log, where Fetch
and ListOffsets see it. A topic whose "configs" set message.timestamp.type=LogAppendTime answers with
the broker's append time ("append_time_ms" in the scenario, else the clock), as Kafka does; others
answer -1. Only the partition's leader accepts. The request log's note: {"records": {"t:p": n}}."""

import base64
import time

from kafka.protocol.producer import InitProducerIdRequest, ProduceRequest
from kafka.record import MemoryRecords

from .. import core
from .fetch import partition_log

CORRUPT_MESSAGE = 2
UNKNOWN_TOPIC_OR_PARTITION = 3
NOT_LEADER_OR_FOLLOWER = 6


def timestamp_type(cluster, topic):
    configs = cluster.topics().get(topic, {}).get("configs", {})
    entry = configs.get("message.timestamp.type", "CreateTime")
    return entry["value"] if isinstance(entry, dict) else entry


def scenario_bytes(b):
    """Bytes as the scenario writes record fields (records.py reads them back): base64 or null."""
    return None if b is None else {"base64": base64.b64encode(bytes(b)).decode()}


def read_records(data):
    """The batch's records as append specs, or None when kafka-python cannot read it."""
    try:
        records = MemoryRecords(bytes(data))
        out = []
        while records.has_next():
            batch = records.next_batch()
            if not batch.validate_crc():
                return None
            for r in batch:
                out.append({"key": scenario_bytes(r.key), "value": scenario_bytes(r.value), "timestamp": r.timestamp,
                            "headers": [[k, scenario_bytes(v)] for k, v in r.headers]})
        return out
    except Exception:  # noqa: BLE001  (any failure to read is the broker's CORRUPT_MESSAGE)
        return None


@core.handles(ProduceRequest)
def produce(ctx, req):
    R, c = ctx.Response, ctx.cluster
    counts = {}
    topics = []
    for td in req.topic_data:
        parts = []
        for pd in td.partition_data:
            out = R.TopicProduceResponse.PartitionProduceResponse(
                index=pd.index, error_code=0, base_offset=-1, log_append_time_ms=-1, log_start_offset=-1)
            p = c.partition(td.name, pd.index)
            specs = read_records(pd.records or b"")
            if p is None:
                out.error_code = UNKNOWN_TOPIC_OR_PARTITION
            elif p.get("leader") != ctx.broker:
                out.error_code = NOT_LEADER_OR_FOLLOWER
            elif not specs:
                out.error_code = CORRUPT_MESSAGE
            else:
                log = partition_log(c, td.name, pd.index)
                out.base_offset = log.end
                spec = {"records": specs}
                p.setdefault("batches", []).append(spec)
                log.append(spec, p.get("leader_epoch", 0))
                out.log_start_offset = log.log_start
                if timestamp_type(c, td.name) == "LogAppendTime":
                    out.log_append_time_ms = c.scenario.get("append_time_ms", int(time.time() * 1000))
                counts[f"{td.name}:{pd.index}"] = len(specs)
            parts.append(out)
        topics.append(R.TopicProduceResponse(name=td.name, partition_responses=parts))
    ctx.note = {"records": counts}
    c.touch()
    if req.acks == 0:
        return core.NO_ANSWER
    return ctx.respond(responses=topics, throttle_time_ms=0)


@core.handles(InitProducerIdRequest)
def init_producer_id(ctx, req):
    st = ctx.cluster.module_state("producer_ids", dict)
    st["next"] = st.get("next", 1000) + 1
    return ctx.respond(throttle_time_ms=0, error_code=0, producer_id=st["next"], producer_epoch=0)
