"""Schema Registry traffic for the kafscope demo: a registry simulator and two live topics whose
records are written by confluent-kafka's own serializers (Avro through fastavro, Protobuf through
the Python runtime), so the demo shows decoded records in the tail from the first minute.

- orders-avro (6 partitions, zstd): Avro `demo.Order` with a nested record, an enum, an array,
  a union, a decimal and a timestamp; values registered under `orders-avro-value`.
- shipments-proto (4 partitions, lz4): Protobuf `demo.Shipment` with a nested message, an enum
  and a repeated field; the message types are built from a descriptor in code, so the demo needs
  no protoc.
"""

import base64
import decimal
import json
import os
import random
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

TOPICS = [("orders-avro", 6, "zstd"), ("shipments-proto", 4, "lz4")]

ORDER_SCHEMA = {
    "type": "record", "name": "Order", "namespace": "demo",
    "fields": [
        {"name": "order_id", "type": "string"},
        {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
            {"name": "id", "type": "long"}, {"name": "name", "type": "string"},
            {"name": "tier", "type": {"type": "enum", "name": "Tier", "symbols": ["BRONZE", "SILVER", "GOLD"]}}]}},
        {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
            {"name": "sku", "type": "string"}, {"name": "quantity", "type": "int"}]}}},
        {"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "coupon", "type": ["null", "string"], "default": None},
        {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}

CUSTOMERS = [(1, "acme"), (2, "globex"), (3, "initech"), (4, "umbrella"), (5, "hooli")]
SKUS = ["sku-kbd-01", "sku-mouse-02", "sku-desk-03", "sku-lamp-04", "sku-cable-05"]
CARRIERS = ["DHL", "UPS", "CORREO_ARGENTINO"]


def shipment_class():
    """demo.Shipment built from a FileDescriptorProto in the default pool (no protoc needed)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="demo/shipments.proto", package="demo", syntax="proto3")
    msg = fdp.message_type.add(name="Shipment")
    parcel = msg.nested_type.add(name="Parcel")
    parcel.field.add(name="weight_grams", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    parcel.field.add(name="tracking", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    carrier = msg.enum_type.add(name="Carrier")
    carrier.value.add(name="CARRIER_UNSPECIFIED", number=0)
    for i, name in enumerate(CARRIERS, start=1):
        carrier.value.add(name=name, number=i)
    msg.field.add(name="shipment_id", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    msg.field.add(name="order_id", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    msg.field.add(name="carrier", number=3, type=F.TYPE_ENUM, type_name=".demo.Shipment.Carrier", label=F.LABEL_OPTIONAL)
    msg.field.add(name="parcels", number=4, type=F.TYPE_MESSAGE, type_name=".demo.Shipment.Parcel",
                  label=F.LABEL_REPEATED)
    msg.field.add(name="shipped_at_ms", number=5, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    pool = descriptor_pool.Default()
    try:
        pool.Add(fdp)
    except TypeError:
        pass  # already added by an earlier call in this process
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("demo.Shipment"))


class SchemaTraffic:
    """Starts the registry simulator and keeps producing framed records into the demo cluster."""

    def __init__(self, cluster, rate, log, preexec_fn=None):
        self.cluster = cluster
        self.rate = rate  # records per second, both topics together
        self.log = log
        self.preexec_fn = preexec_fn
        self.proc = None
        self.url = None
        self.stop_event = threading.Event()
        self.thread = None
        self.seq = 0
        self.errors = 0

    def start(self, port=8081):
        script = os.path.join(HERE, "registry_sim.py")
        self.proc = subprocess.Popen([sys.executable, "-u", script, "--port", str(port), "--exit-on-stdin-eof"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, preexec_fn=self.preexec_fn)
        line = self.proc.stdout.readline()
        try:
            self.url = "http://127.0.0.1:%d" % json.loads(line)["port"]
        except (ValueError, KeyError, TypeError):
            raise RuntimeError("registry simulator did not start (first line %r)" % line)
        from confluent_kafka.schema_registry import SchemaRegistryClient
        from confluent_kafka.schema_registry.avro import AvroSerializer
        from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
        registry = SchemaRegistryClient({"url": self.url})
        self.avro = AvroSerializer(registry, json.dumps(ORDER_SCHEMA), conf={"auto.register.schemas": True})
        self.shipment = shipment_class()
        self.proto = ProtobufSerializer(self.shipment, registry, {"use.deprecated.format": False})
        for name, parts, _codec in TOPICS:
            self.cluster.create_topic(name, parts, 3)
        for _ in range(4):  # a backlog, so the tail has records at once
            self.produce_round(15)
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self.url

    def order(self, n):
        cid, name = random.choice(CUSTOMERS)
        lines = [{"sku": random.choice(SKUS), "quantity": random.randint(1, 4)} for _ in range(random.randint(1, 3))]
        return {"order_id": "ord-%07d" % n,
                "customer": {"id": cid, "name": name, "tier": random.choice(["BRONZE", "SILVER", "GOLD"])},
                "lines": lines,
                "total": decimal.Decimal(random.randint(500, 90000)) / 100,
                "coupon": random.choice([None, None, "WELCOME10", "BLACKFRIDAY"]),
                "created_at": int(time.time() * 1000)}

    def shipment_msg(self, n):
        parcels = [self.shipment.Parcel(weight_grams=random.randint(100, 20000),
                                        tracking="TRK%09d" % random.getrandbits(29))
                   for _ in range(random.randint(1, 3))]
        return self.shipment(shipment_id="shp-%07d" % n, order_id="ord-%07d" % max(1, n - random.randint(0, 40)),
                             carrier=random.randint(1, len(CARRIERS)), parcels=parcels,
                             shipped_at_ms=int(time.time() * 1000))

    def produce_round(self, count):
        from confluent_kafka.serialization import SerializationContext, MessageField
        batches = {"orders-avro": [], "shipments-proto": []}
        for _ in range(count):
            self.seq += 1
            n = self.seq
            order = self.order(n)
            value = self.avro(order, SerializationContext("orders-avro", MessageField.VALUE))
            batches["orders-avro"].append({"key": base64.b64encode(order["customer"]["name"].encode()).decode(),
                                           "value": base64.b64encode(value).decode(),
                                           "headers": [["content-type", base64.b64encode(b"application/avro").decode()]]})
            if n % 2 == 0:
                ship = self.shipment_msg(n)
                value = self.proto(ship, SerializationContext("shipments-proto", MessageField.VALUE))
                batches["shipments-proto"].append({"key": base64.b64encode(ship.order_id.encode()).decode(),
                                                   "value": base64.b64encode(value).decode()})
        for name, _parts, codec in TOPICS:
            if not batches[name]:
                continue
            try:
                self.cluster.produce(name, batches[name], compression=codec, encoding="base64")
            except Exception as e:  # a failed round is logged; the demo goes on
                self.errors += 1
                if self.errors <= 3:
                    self.log("produce to %s failed: %s" % (name, e))

    def _loop(self):
        interval = 1.0
        carry = 0.0
        while not self.stop_event.wait(interval):
            carry += self.rate * interval * 2 / 3  # orders; shipments are every other order
            count = int(carry)
            carry -= count
            if count:
                self.produce_round(count)

    def stop(self):
        self.stop_event.set()
        if self.thread:
            self.thread.join(timeout=10)
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # registry_sim exits on stdin EOF
                self.proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
