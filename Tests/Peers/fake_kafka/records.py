"""Record batches (magic 2) written by kafka-python's DefaultRecordBatchBuilder, with the parts a
broker adds itself: base offset, leader epoch, control batches (transaction markers)."""

import base64
import struct

from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.util import calc_crc32c

B = DefaultRecordBatchBuilder
CODECS = {"none": B.CODEC_NONE, "gzip": B.CODEC_GZIP, "snappy": B.CODEC_SNAPPY, "lz4": B.CODEC_LZ4, "zstd": B.CODEC_ZSTD}
BASE_TIMESTAMP = 1_700_000_000_000


def _bytes(value):
    """Record fields in the scenario: a string (UTF-8), {"base64": ...}, or null."""
    if value is None:
        return None
    if isinstance(value, dict):
        return base64.b64decode(value["base64"])
    return value.encode()


def records_of(spec):
    if "values" in spec:
        return [{"value": v} for v in spec["values"]]
    return spec.get("records", [])


def record_count(spec):
    return 1 if "control" in spec else len(records_of(spec))


def build(spec, base_offset, leader_epoch=0):
    """One batch from a scenario batch spec: {"values": [...]} or {"records": [{"key", "value",
    "headers": [[k, v]], "timestamp"}]}, with optional "producer": {"id", "epoch"} (transactional),
    "control": "abort"|"commit" (a marker of that producer), "compression", "corrupt": true (bad CRC)."""
    producer = spec.get("producer")
    pid, pepoch = (producer["id"], producer.get("epoch", 0)) if producer else (-1, -1)
    builder = B(magic=2, compression_type=CODECS[spec.get("compression", "none")], is_transactional=producer is not None,
                producer_id=pid, producer_epoch=pepoch, base_sequence=0 if producer else -1, batch_size=1 << 30)
    if "control" in spec:
        kind = {"abort": 0, "commit": 1}[spec["control"]]
        builder.append(0, timestamp=BASE_TIMESTAMP + base_offset, key=struct.pack(">hh", 0, kind),
                       value=struct.pack(">hi", 0, spec.get("coordinator_epoch", 0)), headers=[])
    else:
        for i, r in enumerate(records_of(spec)):
            headers = [(k, _bytes(v)) for k, v in r.get("headers", [])]
            builder.append(i, timestamp=r.get("timestamp", BASE_TIMESTAMP + base_offset + i), key=_bytes(r.get("key")),
                           value=_bytes(r.get("value")), headers=headers)
    buf = builder.build()
    # What the broker fills in on append: the base offset and the leader epoch (outside the CRC).
    struct.pack_into(">q", buf, 0, base_offset)
    struct.pack_into(">i", buf, 12, leader_epoch)
    if "control" in spec:
        (attrs,) = struct.unpack_from(">h", buf, B.ATTRIBUTES_OFFSET)
        struct.pack_into(">h", buf, B.ATTRIBUTES_OFFSET, attrs | B.CONTROL_MASK)
        struct.pack_into(">I", buf, B.CRC_OFFSET, calc_crc32c(memoryview(buf)[B.ATTRIBUTES_OFFSET:]))
    if spec.get("corrupt"):
        buf[-1] ^= 0xFF  # a flipped bit in the last record: the CRC no longer matches
    return bytes(buf)


class PartitionLog:
    """The batches of one partition, their offsets, and the transactions they form."""

    def __init__(self, log_start=0):
        self.log_start = log_start
        self.batches = []        # (base, last, bytes, spec)
        self.timestamps = []     # (offset, record timestamp) of data records
        self.end = log_start

    def append(self, spec, leader_epoch=0):
        n = record_count(spec)
        data = build(spec, self.end, leader_epoch)
        if "control" not in spec:
            self.timestamps += [(self.end + i, r.get("timestamp", BASE_TIMESTAMP + self.end + i))
                                for i, r in enumerate(records_of(spec))]
        self.batches.append((self.end, self.end + n - 1, data, spec))
        self.end += n

    def offset_for_time(self, ts):
        """ListOffsets by timestamp: the first offset whose record time is at or after ts, else -1."""
        return next((o for o, t in self.timestamps if t >= ts), -1)

    def open_transactions(self):
        """producer id -> first offset of its transaction without a marker yet."""
        open_ = {}
        for base, _, _, spec in self.batches:
            p = spec.get("producer")
            if p is None:
                continue
            if "control" in spec:
                open_.pop(p["id"], None)
            else:
                open_.setdefault(p["id"], base)
        return open_

    def last_stable_offset(self):
        opened = self.open_transactions()
        return min(opened.values()) if opened else self.end

    def aborted(self):
        """[(producer id, first offset, marker offset)] for every aborted transaction."""
        out, first = [], {}
        for base, _, _, spec in self.batches:
            p = spec.get("producer")
            if p is None:
                continue
            if "control" in spec:
                if p["id"] in first and spec["control"] == "abort":
                    out.append((p["id"], first[p["id"]], base))
                first.pop(p["id"], None)
            else:
                first.setdefault(p["id"], base)
        return out

    def read(self, offset, max_bytes, upto, whole_first_batch=True):
        """The batches from the one holding `offset`, below `upto`, within max_bytes (the first batch
        whole, as brokers do since KIP-74, unless whole_first_batch is False: then it is cut)."""
        out = bytearray()
        for base, last, data, _ in self.batches:
            if last < offset or base >= upto:
                continue
            if out and len(out) + len(data) > max_bytes:
                break
            if not out and len(data) > max_bytes and not whole_first_batch:
                return bytes(data[:max_bytes])
            out += data
        return bytes(out)
