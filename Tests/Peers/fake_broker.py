#!/usr/bin/env python3
"""An independent fake Kafka cluster for kafscope's tests: responses are encoded by kafka-python's
protocol classes, not by kafscope's codecs. See README.md ("The independent fake broker").

    fake_broker.py [--brokers 3] [--scenario FILE.json]

Prints {"event": "ready", "bootstrap": "127.0.0.1:P1,...", "brokers": [...], "apis": [keys]} and then
answers one JSON command per stdin line with one JSON line ({"ok": true, ...} or {"ok": false,
"error": ...}). Exits on stdin EOF.
"""

import argparse
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", type=int, default=3)
    parser.add_argument("--scenario")
    args = parser.parse_args()
    try:
        from fake_kafka import core
        scenario = {}
        if args.scenario:
            with open(args.scenario) as f:
                scenario = json.load(f)
    except Exception as e:
        print(json.dumps({"event": "error", "error": f"{type(e).__name__}: {e}"}), flush=True)
        raise
    asyncio.run(core.main(args.brokers, scenario))


if __name__ == "__main__":
    main()
