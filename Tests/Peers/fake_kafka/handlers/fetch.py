"""Fetch with KIP-227 incremental sessions, long polling, read_committed (last stable offset and the
aborted-transaction list) and record batches written by kafka-python (records.py).

Partition spec keys: "log_start", "end" (without batches), "batches": [batch spec, see records.build].
Scenario: "fetch_sessions": false answers session id 0 (a broker with sessions disabled);
"partial_batches": true cuts a batch larger than PartitionMaxBytes (as pre-KIP-74 brokers did).
Commands: append {topic, partition, batches}, evict_sessions {}, skew_epochs {}.
The request log's note: {"session_id", "epoch", "response_session_id", "error", "isolation",
"sent": {"topic:partition": offset}, "forgotten": ["topic:partition"], "answered": [...]}."""

import asyncio
import random

from kafka.protocol.consumer import FetchRequest

from .. import core
from ..records import PartitionLog

FETCH_SESSION_ID_NOT_FOUND = 70
INVALID_FETCH_SESSION_EPOCH = 71
INT32_MAX = 2**31 - 1


class FetchState:
    def __init__(self):
        self.logs = {}       # (topic, partition) -> PartitionLog
        self.sessions = {}   # broker -> {session id: Session}


class Session:
    def __init__(self, sid):
        self.id = sid
        self.next_epoch = 1
        self.parts = {}      # (topic, partition) -> [fetch offset, max bytes]
        self.reported = {}   # (topic, partition) -> (hw, lso, log start) last answered


def state(cluster):
    return cluster.module_state("fetch", FetchState)


def partition_log(cluster, topic, index):
    st = state(cluster)
    key = (topic, index)
    if key not in st.logs:
        p = cluster.partition(topic, index) or {}
        log = PartitionLog(p.get("log_start", 0))
        for spec in p.get("batches", []):
            log.append(spec, p.get("leader_epoch", 0))
        if not p.get("batches") and "end" in p:
            log.end = p["end"]
        st.logs[key] = log
    return st.logs[key]


def bounds(cluster, topic, index):
    log = partition_log(cluster, topic, index)
    return log.log_start, log.end


@core.command("append")
def append(cluster, cmd):
    p = cluster.partition(cmd["topic"], cmd["partition"])
    if p is None:
        raise ValueError(f"no partition {cmd['topic']}-{cmd['partition']} in the scenario")
    log = partition_log(cluster, cmd["topic"], cmd["partition"])
    for spec in cmd["batches"]:
        p.setdefault("batches", []).append(spec)
        log.append(spec, p.get("leader_epoch", 0))
    cluster.touch()
    return {"end": log.end}


@core.command("evict_sessions")
def evict_sessions(cluster, cmd):
    state(cluster).sessions = {}
    return {}


@core.command("skew_epochs")
def skew_epochs(cluster, cmd):
    for sessions in state(cluster).sessions.values():
        for s in sessions.values():
            s.next_epoch += 5
    return {}


def _name(ctx, topic):
    return topic.topic if ctx.version < 13 else ctx.cluster.topic_by_id(topic.topic_id)


def _answer(ctx, topic, index, offset, max_bytes, isolation, budget):
    """(partition data, bytes used) for one partition."""
    R = ctx.Response
    P = R.FetchableTopicResponse.PartitionData
    c = ctx.cluster
    spec = c.partition(topic, index) if topic is not None else None
    pd = P(partition_index=index, error_code=0, high_watermark=-1, last_stable_offset=-1, log_start_offset=-1,
           aborted_transactions=None, preferred_read_replica=-1, records=b"")
    if spec is None:
        pd.error_code = 100 if ctx.version >= 13 else 3
        return pd, 0
    if spec.get("leader") != ctx.broker:
        pd.error_code = 6
        return pd, 0
    log = partition_log(c, topic, index)
    lso = log.last_stable_offset()
    pd.high_watermark, pd.last_stable_offset, pd.log_start_offset = log.end, lso, log.log_start
    if offset < log.log_start or offset > log.end:
        pd.error_code = 1
        return pd, 0
    upto = lso if isolation == 1 else log.end
    data = log.read(offset, min(max_bytes, max(budget, 0)) if budget > 0 else 0, upto,
                    whole_first_batch=not ctx.scenario.get("partial_batches", False))
    if budget <= 0:
        data = b""
    pd.records = data
    if isolation == 1:
        pd.aborted_transactions = [P.AbortedTransaction(producer_id=pid, first_offset=first)
                                   for pid, first, marker in log.aborted() if marker >= offset and first < upto]
    return pd, len(data)


def _changed(session, key, pd):
    if session is None:
        return True
    now = (pd.high_watermark, pd.last_stable_offset, pd.log_start_offset)
    before = session.reported.get(key)
    session.reported[key] = now
    return bool(pd.records) or pd.error_code != 0 or before != now


def _available(ctx, req, parts):
    """Record bytes a fetch would return now (changes nothing)."""
    return sum(_answer(ctx, t, p, o, mb, req.isolation_level, 1 << 30)[1] for t, p, o, mb in parts)


def _build(ctx, req, parts, session, full):
    """parts: [(topic, index, offset, max bytes)] in request order."""
    R = ctx.Response
    budget = req.max_bytes if ctx.version >= 3 else 1 << 30
    by_topic, answered = {}, []
    for topic, index, offset, max_bytes in parts:
        pd, used = _answer(ctx, topic, index, offset, max_bytes, req.isolation_level, budget)
        budget -= used
        if full or _changed(session, (topic, index), pd):
            if full and session is not None:
                _changed(session, (topic, index), pd)
            by_topic.setdefault(topic, []).append(pd)
            answered.append(f"{topic}:{index}")
    responses = [R.FetchableTopicResponse(topic=t, topic_id=ctx.cluster.topic_id(t) if t else None, partitions=ps)
                 for t, ps in by_topic.items()]
    return responses, answered


@core.handles(FetchRequest)
async def fetch(ctx, req):
    c = ctx.cluster
    sessions = state(c).sessions.setdefault(ctx.broker, {})
    enabled = ctx.scenario.get("fetch_sessions", True) and ctx.version >= 7
    sid, epoch = (req.session_id, req.session_epoch) if ctx.version >= 7 else (0, -1)
    listed = [(_name(ctx, t), p.partition, p.fetch_offset, p.partition_max_bytes) for t in req.topics for p in t.partitions]
    forgotten = []
    if ctx.version >= 7:
        forgotten = [(t.topic if ctx.version < 13 else c.topic_by_id(t.topic_id), p)
                     for t in req.forgotten_topics_data for p in t.partitions]
    ctx.note = {"session_id": sid, "epoch": epoch, "isolation": req.isolation_level,
                "sent": {f"{t}:{p}": o for t, p, o, _ in listed}, "sent_order": [f"{t}:{p}" for t, p, _, _ in listed],
                "forgotten": [f"{t}:{p}" for t, p in forgotten], "error": 0, "response_session_id": 0}

    session, full = None, True
    if epoch > 0:
        session = sessions.get(sid)
        error = FETCH_SESSION_ID_NOT_FOUND if session is None else (
            INVALID_FETCH_SESSION_EPOCH if epoch != session.next_epoch else 0)
        if error:
            ctx.note["error"] = error
            return ctx.respond(throttle_time_ms=0, error_code=error, session_id=0, responses=[])
        session.next_epoch = 1 if epoch == INT32_MAX else epoch + 1
        for key in forgotten:
            session.parts.pop(key, None)
            session.reported.pop(key, None)
        for t, p, o, mb in listed:
            session.parts[(t, p)] = [o, mb]
        parts = [(t, p, o, mb) for (t, p), (o, mb) in session.parts.items()]
        full = False
    else:
        if sid != 0:
            sessions.pop(sid, None)
        parts = listed
        if epoch == 0 and enabled:
            new_id = random.randint(1, INT32_MAX)
            session = Session(new_id)
            for t, p, o, mb in listed:
                session.parts[(t, p)] = [o, mb]
            sessions[new_id] = session

    if _available(ctx, req, parts) < max(req.min_bytes, 1) and req.max_wait_ms > 0:
        # Long poll: wait for an append (or a scenario change), at most MaxWaitMs.
        try:
            await asyncio.wait_for(c.changed.wait(), req.max_wait_ms / 1000)
        except asyncio.TimeoutError:
            pass
    responses, answered = _build(ctx, req, parts, session, full)
    ctx.note["response_session_id"] = session.id if session is not None else 0
    ctx.note["answered"] = answered
    return ctx.respond(throttle_time_ms=0, error_code=0, session_id=ctx.note["response_session_id"], responses=responses)

