#!/usr/bin/env python3
"""One consumer process of the demo's living groups (a kafka-python consumer, a real group member).

    demo_consumer.py --bootstrap HOST:PORT --group G --topic T --mode MODE [--rate N]

Modes (what kafscope's lag status should say of the group):
- healthy:  reads everything as it arrives and commits after each poll (OK, caught up).
- catchup:  moves --rate records/s (spread over its partitions) through a backlog, faster than
            they arrive (OK, with an ETA).
- behind:   the same at a rate slower than they arrive (WARNING, falling behind).
- stalled:  joins, commits where it started, then keeps committing that same offset while
            records pile up (STALLED: a member is there, the offset does not move).
- stopped:  commits an offset behind the end once, without joining, and exits (STOPPED: no
            member, no commit, lag > 0).
Prints one JSON line {"event": "joined", "assignment": [...]} once it has an assignment (or
{"event": "committed"} for stopped), then runs until killed or its stdin closes.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time


def log(msg):
    sys.stderr.write("demo_consumer: %s\n" % msg)
    sys.stderr.flush()


def main():
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--mode", required=True, choices=["healthy", "catchup", "behind", "stalled", "stopped"])
    ap.add_argument("--rate", type=float, default=10.0, help="records per second (catchup, behind)")
    ap.add_argument("--stopped-offset", type=int, default=10,
                    help="stopped and stalled: the offset committed per partition (at most its end)")
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    args = ap.parse_args()

    if args.exit_on_stdin_eof:
        def watch():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()

    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    common = dict(group_id=args.group, bootstrap_servers=args.bootstrap, enable_auto_commit=False,
                  client_id="demo-" + args.group, fetch_max_wait_ms=100)

    if args.mode == "stopped":
        # A consumer that ran once and is gone: offsets committed outside any generation, no member.
        consumer = KafkaConsumer(**common)
        parts = consumer.partitions_for_topic(args.topic) or set()
        deadline = time.time() + 60
        while not parts and time.time() < deadline:
            time.sleep(0.5)
            parts = consumer.partitions_for_topic(args.topic) or set()
        tps = [TopicPartition(args.topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        consumer.commit({tp: OffsetAndMetadata(args.stopped_offset, "", -1) for tp in tps})
        consumer.close(autocommit=False)
        print(json.dumps({"event": "committed", "partitions": len(tps)}), flush=True)
        while True:
            time.sleep(3600)

    limited = args.mode in ("catchup", "behind")
    if limited:
        common["max_poll_records"] = 1  # the join's first polls read next to nothing
    consumer = KafkaConsumer(args.topic, auto_offset_reset="earliest", **common)
    while not consumer.assignment():
        consumer.poll(timeout_ms=500)
    print(json.dumps({"event": "joined",
                      "assignment": sorted("%s-%d" % (tp.topic, tp.partition) for tp in consumer.assignment())}),
          flush=True)

    if args.mode == "stalled":
        # One offset behind the end, committed again and again; reading paused so nothing moves.
        consumer.pause(*consumer.assignment())
        ends = consumer.end_offsets(list(consumer.assignment()))
        fixed = {tp: OffsetAndMetadata(min(ends.get(tp, 0), args.stopped_offset), "", -1) for tp in consumer.assignment()}
        while True:
            consumer.poll(timeout_ms=500)
            if consumer.assignment():
                try:
                    consumer.commit({tp: fixed.get(tp, OffsetAndMetadata(0, "", -1)) for tp in consumer.assignment()})
                except Exception as e:  # a rebalance in flight: the next round commits again
                    log("%s: commit failed: %s" % (args.group, e))
                consumer.pause(*consumer.assignment())
            time.sleep(2)

    if limited:
        # --rate records a second spread evenly over its partitions, committed each second: a consumer
        # that drains one partition at a time would leave the others unmoved (STALLED, rightly).
        consumer.pause(*consumer.assignment())
        tps = sorted(consumer.assignment(), key=lambda tp: tp.partition)
        committed = {tp: consumer.committed(tp) or 0 for tp in tps}
        carry = 0.0
        while True:
            started = time.time()
            consumer.poll(timeout_ms=100)  # heartbeats and rebalances
            if set(tps) != consumer.assignment():
                tps = sorted(consumer.assignment(), key=lambda tp: tp.partition)
                consumer.pause(*tps)
                committed = {tp: consumer.committed(tp) or 0 for tp in tps}
            if tps:
                ends = consumer.end_offsets(tps)
                carry += args.rate / len(tps)
                step = int(carry)
                carry -= step
                committed = {tp: min(ends.get(tp, 0), committed[tp] + step) for tp in tps}
                try:
                    consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in committed.items()})
                except Exception as e:
                    log("%s: commit failed: %s" % (args.group, e))
            time.sleep(max(0.0, 1.0 - (time.time() - started)))

    last_commit = 0.0
    while True:
        started = time.time()
        records = consumer.poll(timeout_ms=200)
        # What it read is committed at once, and at least every second (the first read included).
        if records or started - last_commit >= 1.0:
            try:
                consumer.commit()
                last_commit = started
            except Exception as e:
                log("%s: commit failed: %s" % (args.group, e))


if __name__ == "__main__":
    sys.exit(main())
