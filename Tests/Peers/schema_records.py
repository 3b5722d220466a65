#!/usr/bin/env python3
"""Schema Registry test data for kafscope, written and decoded by independent implementations.

  schema_records.py avro-cases --count N --seed S
  schema_records.py proto-cases --count N --seed S
      JSON lines {"schema", "references", "payload_b64", "expected", ...}: random values written
      with fastavro / the Python protobuf runtime, decoded back by them and rendered under
      kafscope's JSON rules (README "Schema Registry"); no broker, no registry.
  schema_records.py produce --bootstrap B --registry URL --topic T --case C --count N [--seed S]
      (case protobuf-bare writes plain Protobuf without a registry; --descriptor-out FILE saves
      the FileDescriptorSet)
      produces with confluent-kafka's AvroSerializer / ProtobufSerializer / JSONSerializer (which
      register their schemas in the registry) and prints one JSON line per delivered record:
      {"partition", "offset", "key", "value", "key_schema_id", "value_schema_id"}, the key and value
      decoded from the delivered bytes by fastavro / protobuf and rendered the same way.

Rendering rules: Avro unions unwrapped, enums by symbol, bytes/fixed base64, decimals as strings
with their scale, uuid strings, dates YYYY-MM-DD, times HH:MM:SS.fff(fff), timestamps RFC 3339
UTC (local timestamps without the Z), durations {months, days, milliseconds}; Protobuf as
json_format with the field names as written (int64 as strings, defaults omitted).
"""

import argparse
import base64
import datetime
import decimal
import io
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "schemas")


def read(name):
    with open(os.path.join(SCHEMAS, name)) as f:
        return f.read()


# --- Avro ------------------------------------------------------------------------------------

PRIMS = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


class Names:
    def __init__(self):
        self.named = {}

    def collect(self, s, ns=None):
        if isinstance(s, list):
            for b in s:
                self.collect(b, ns)
        elif isinstance(s, dict):
            t = s.get("type")
            if t in ("record", "enum", "fixed"):
                name = s["name"]
                ns = s.get("namespace", ns)
                full = name if "." in name else (ns + "." + name if ns else name)
                self.named[full] = s
                self.named[name] = s
                if t == "record":
                    for f in s["fields"]:
                        self.collect(f["type"], full.rsplit(".", 1)[0] if "." in full else None)
            elif t in ("array",):
                self.collect(s["items"], ns)
            elif t == "map":
                self.collect(s["values"], ns)
            elif isinstance(t, (dict, list)):
                self.collect(t, ns)

    def resolve(self, s):
        if isinstance(s, str) and s not in PRIMS:
            return self.named.get(s) or self.named[s.rsplit(".", 1)[-1]]
        if isinstance(s, dict) and isinstance(s.get("type"), str) and s["type"] not in PRIMS and s["type"] not in (
                "record", "enum", "fixed", "array", "map", "error"):
            return self.resolve(s["type"])
        return s


def kind(s):
    if isinstance(s, str):
        return s
    if isinstance(s, list):
        return "union"
    return s["type"] if isinstance(s["type"], str) else kind(s["type"])


def logical(s):
    return s.get("logicalType") if isinstance(s, dict) else None


def fits(names, s, v):
    s = names.resolve(s)
    k = kind(s)
    if v is None:
        return k == "null"
    if k == "record":
        return isinstance(v, dict) and set(v) == {f["name"] for f in s["fields"]}
    if k == "map":
        return isinstance(v, dict)
    if k == "enum":
        return isinstance(v, str) and v in s["symbols"]
    if k == "string":
        return isinstance(v, str) or isinstance(v, uuid.UUID)
    if k in ("int", "long"):
        return isinstance(v, (int, datetime.date, datetime.time, datetime.datetime)) and not isinstance(v, bool)
    if k == "boolean":
        return isinstance(v, bool)
    if k in ("float", "double"):
        return isinstance(v, float)
    if k in ("bytes", "fixed"):
        return isinstance(v, (bytes, decimal.Decimal))
    if k == "array":
        return isinstance(v, list)
    return False


def fmt_time(t, digits):
    frac = "%06d" % t.microsecond
    return t.strftime("%H:%M:%S") + "." + frac[:digits]


def render_avro(names, s, v):
    s = names.resolve(s)
    k = kind(s)
    lt = logical(s)
    if k == "union":
        for b in s:
            if fits(names, b, v):
                return render_avro(names, b, v)
        raise ValueError("no union branch fits %r" % (v,))
    if v is None:
        return None
    if lt == "decimal" and isinstance(v, decimal.Decimal):
        return format(v, "f")
    if lt == "uuid":
        return str(v)
    if lt == "date" and isinstance(v, datetime.date):
        return v.isoformat()
    if lt == "time-millis" and isinstance(v, datetime.time):
        return fmt_time(v, 3)
    if lt == "time-micros" and isinstance(v, datetime.time):
        return fmt_time(v, 6)
    if lt in ("timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros") \
            and isinstance(v, datetime.datetime):
        digits = 3 if lt.endswith("millis") else 6
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        text = v.strftime("%Y-%m-%dT%H:%M:%S") + "." + ("%06d" % v.microsecond)[:digits]
        return text + ("Z" if lt.startswith("timestamp") else "")
    if lt == "duration" and isinstance(v, bytes):
        months, days, millis = struct.unpack("<III", v)
        return {"months": months, "days": days, "milliseconds": millis}
    if k == "record":
        return {f["name"]: render_avro(names, f["type"], v[f["name"]]) for f in s["fields"]}
    if k == "array":
        return [render_avro(names, s["items"], x) for x in v]
    if k == "map":
        return {key: render_avro(names, s["values"], x) for key, x in v.items()}
    if k in ("bytes", "fixed"):
        return base64.b64encode(v).decode()
    return v


def random_avro(names, s, rnd, depth=0):
    s = names.resolve(s)
    k = kind(s)
    lt = logical(s)
    if k == "union":
        choices = s if depth < 2 else [b for b in s if kind(names.resolve(b)) != "record" or b == s[0]] or s
        return random_avro(names, rnd.choice(choices), rnd, depth + 1)
    if lt == "decimal":
        scale = s["scale"]
        digits = rnd.randint(1, min(s["precision"], 18))
        unscaled = rnd.randint(-(10 ** digits) + 1, 10 ** digits - 1)
        return decimal.Decimal(unscaled).scaleb(-scale)
    if lt == "uuid":
        return uuid.UUID(int=rnd.getrandbits(128))
    if lt == "date":
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=rnd.randint(-20000, 40000))
    if lt in ("time-millis", "time-micros"):
        us = rnd.randint(0, 86_399_999_999)
        if lt == "time-millis":
            us -= us % 1000
        return (datetime.datetime(2000, 1, 1) + datetime.timedelta(microseconds=us)).time()
    if lt in ("timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros"):
        us = rnd.randint(-2_000_000_000_000_000, 4_000_000_000_000_000)
        if lt.endswith("millis"):
            us -= us % 1000
        dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
        return dt.replace(tzinfo=datetime.timezone.utc) if lt.startswith("timestamp") else dt
    if lt == "duration":
        return struct.pack("<III", rnd.getrandbits(32), rnd.getrandbits(32), rnd.getrandbits(32))
    if k == "null":
        return None
    if k == "boolean":
        return rnd.random() < 0.5
    if k == "int":
        return rnd.choice([0, -1, 1, 2 ** 31 - 1, -2 ** 31, rnd.randint(-2 ** 31, 2 ** 31 - 1)])
    if k == "long":
        return rnd.choice([0, -1, 2 ** 63 - 1, -2 ** 63, rnd.randint(-2 ** 63, 2 ** 63 - 1)])
    if k == "float":
        return struct.unpack("<f", struct.pack("<f", rnd.uniform(-1e6, 1e6)))[0]
    if k == "double":
        return rnd.choice([0.0, -2.5, 1e-300, 1.7976931348623157e308, rnd.uniform(-1e9, 1e9)])
    if k == "bytes":
        return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 20)))
    if k == "string":
        return "".join(rnd.choice("abcé€😀\"\\\n\t\x1b\x00 z") for _ in range(rnd.randint(0, 12)))
    if k == "enum":
        return rnd.choice(s["symbols"])
    if k == "fixed":
        return bytes(rnd.getrandbits(8) for _ in range(s["size"]))
    if k == "array":
        return [random_avro(names, s["items"], rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    if k == "map":
        return {"k%d" % i: random_avro(names, s["values"], rnd, depth + 1) for i in range(rnd.randint(0, 4))}
    if k == "record":
        return {f["name"]: random_avro(names, f["type"], rnd, depth + 1) for f in s["fields"]}
    raise ValueError(k)


def avro_names(*schemas):
    names = Names()
    for s in schemas:
        names.collect(s)
    return names


def avro_cases(count, seed):
    import fastavro
    rnd = random.Random(seed)
    everything = json.loads(read("everything.avsc"))
    customer, invoice = json.loads(read("customer.avsc")), json.loads(read("invoice.avsc"))
    sets = [("everything.avsc", [], everything, [everything]),
            ("invoice.avsc", [read("customer.avsc")], invoice, [customer, invoice])]
    for _ in range(count):
        for name, refs, schema, all_schemas in sets:
            named = {}
            for s in all_schemas[:-1]:
                fastavro.parse_schema(s, named_schemas=named)
            parsed = fastavro.parse_schema(schema, named_schemas=named)
            names = avro_names(*all_schemas)
            value = random_avro(names, schema, rnd)
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, parsed, value)
            payload = buf.getvalue()
            back = fastavro.schemaless_reader(io.BytesIO(payload), parsed, None)
            print(json.dumps({"name": name, "schema": read(name), "references": refs,
                              "payload_b64": base64.b64encode(payload).decode(),
                              "expected": render_avro(names, schema, back)}))


# --- Protobuf --------------------------------------------------------------------------------

def compile_protos(out_dir):
    """protoc --python_out for the test .proto files (and a descriptor set with imports)."""
    files = ["common.proto", "shop.proto", "legacy.proto", "bench.proto"]
    include = well_known_include(out_dir)
    subprocess.run(["protoc", "-I", SCHEMAS, "-I", include, "--python_out", out_dir,
                    "--descriptor_set_out", os.path.join(out_dir, "all.desc"), "--include_imports"] + files,
                   check=True)
    sys.path.insert(0, out_dir)
    import common_pb2, shop_pb2, legacy_pb2, bench_pb2  # noqa: E401
    return common_pb2, shop_pb2, legacy_pb2, bench_pb2


def well_known_include(out_dir):
    """Debian's protoc ships without google/protobuf/*.proto: print them from the runtime's descriptors."""
    sys.path.insert(0, HERE)
    from registry_sim import proto_text
    from google.protobuf import descriptor_pb2, timestamp_pb2, duration_pb2, wrappers_pb2, struct_pb2, any_pb2, \
        empty_pb2, field_mask_pb2
    include = os.path.join(out_dir, "include")
    for mod in (timestamp_pb2, duration_pb2, wrappers_pb2, struct_pb2, any_pb2, empty_pb2, field_mask_pb2):
        fdp = descriptor_pb2.FileDescriptorProto()
        mod.DESCRIPTOR.CopyToProto(fdp)
        path = os.path.join(include, fdp.name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(proto_text(fdp))
    return include


def render_proto(msg):
    from google.protobuf import json_format
    return json.loads(json_format.MessageToJson(msg, preserving_proto_field_name=True, indent=None))


def rnd_text(rnd):
    return "".join(rnd.choice("abcé€😀\"\\\n\x1b z") for _ in range(rnd.randint(0, 10)))


def random_order(shop, rnd):
    o = shop.Order()
    if rnd.random() < 0.8:
        o.id = rnd.choice([0, 1, -1, 2 ** 63 - 1, -2 ** 63, rnd.randint(-2 ** 63, 2 ** 63 - 1)])
    if rnd.random() < 0.8:
        o.customer = rnd_text(rnd)
    for _ in range(rnd.randint(0, 3)):
        line = o.lines.add(sku=rnd_text(rnd), quantity=rnd.randint(0, 2 ** 32 - 1))
        if rnd.random() < 0.5:
            line.price.currency = "EUR"
            line.price.units = rnd.randint(-10 ** 12, 10 ** 12)
            line.price.nanos = rnd.randint(-999_999_999, 999_999_999)
    o.scores.extend(rnd.randint(-2 ** 31, 2 ** 31 - 1) for _ in range(rnd.randint(0, 5)))
    o.big_numbers.extend(rnd.randint(-2 ** 63, 2 ** 63 - 1) for _ in range(rnd.randint(0, 3)))
    for i in range(rnd.randint(0, 3)):
        o.attributes["a%d" % i] = rnd.randint(-2 ** 63, 2 ** 63 - 1)
    for i in range(rnd.randint(0, 2)):
        o.by_position[rnd.randint(-5, 5)].sku = rnd_text(rnd)
    o.status = rnd.choice([0, 1, 2])
    o.channel = rnd.choice([0, 1, 2])
    which = rnd.choice(["card", "cash", "invoice", None])
    if which == "card":
        o.card = rnd_text(rnd)
    elif which == "cash":
        o.cash.units = rnd.randint(0, 100)
    elif which == "invoice":
        o.invoice = rnd.random() < 0.5
    if rnd.random() < 0.7:
        o.created.seconds = rnd.randint(-62135596800, 253402300799)
        o.created.nanos = rnd.choice([0, 1000000, 123456000, rnd.randint(0, 999_999_999)])
    if rnd.random() < 0.7:
        o.took.seconds = rnd.randint(-10 ** 6, 10 ** 6)
        o.took.nanos = (1 if o.took.seconds >= 0 else -1) * rnd.choice([0, 500000000, rnd.randint(0, 999_999_999)])
        if o.took.seconds == 0 and rnd.random() < 0.5:
            o.took.nanos = -abs(o.took.nanos)
    if rnd.random() < 0.5:
        o.maybe_count.value = rnd.choice([0, rnd.randint(-2 ** 63, 2 ** 63 - 1)])
    if rnd.random() < 0.5:
        o.maybe_note.value = rnd_text(rnd)
    o.blob = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 12)))
    o.ratio = rnd.choice([0.0, -1.5, 1e-300, rnd.uniform(-1e9, 1e9), float("inf"), float("nan")])
    o.weight = rnd.choice([0.0, 2.5, rnd.uniform(-1e6, 1e6)])
    o.f64 = rnd.choice([0, 2 ** 64 - 1, rnd.getrandbits(64)])
    o.sf32 = rnd.randint(-2 ** 31, 2 ** 31 - 1)
    o.s64 = rnd.randint(-2 ** 63, 2 ** 63 - 1)
    o.u64 = rnd.choice([0, 2 ** 64 - 1, rnd.getrandbits(64)])
    o.gift = rnd.random() < 0.5
    if rnd.random() < 0.5:
        o.opt_zero = 0
    if rnd.random() < 0.4:
        o.extra.update({"a": 1.5, "b": [True, None, "x"], "c": {"d": "e"}})
    o.samples.extend(rnd.uniform(-100, 100) for _ in range(rnd.randint(0, 3)))
    if rnd.random() < 0.5:
        o.flags[True] = "yes"
    if rnd.random() < 0.5:
        o.flags[False] = "no"
    return o


def random_reading(legacy, rnd):
    r = legacy.Reading(sensor=rnd_text(rnd))
    if rnd.random() < 0.6:
        r.value = rnd.choice([0, 7, rnd.randint(-2 ** 31, 2 ** 31 - 1)])
    r.history.extend(rnd.randint(-2 ** 31, 2 ** 31 - 1) for _ in range(rnd.randint(0, 4)))
    r.labels.extend(rnd_text(rnd) for _ in range(rnd.randint(0, 2)))
    if rnd.random() < 0.5:
        r.unit = rnd.choice([1, 2])
    if rnd.random() < 0.5:
        r.ok = rnd.random() < 0.5
    return r


def random_envelope(shop, rnd):
    e = shop.Envelope()
    if rnd.random() < 0.8:
        e.inner.deep.text = rnd_text(rnd)
        e.inner.deep.ids.extend(rnd.getrandbits(64) for _ in range(rnd.randint(0, 3)))
    return e


def proto_cases(count, seed):
    rnd = random.Random(seed)
    out_dir = tempfile.mkdtemp(prefix="kafscope-proto-")
    common, shop, legacy, bench = compile_protos(out_dir)
    sources = {n: read(n) for n in ("common.proto", "shop.proto", "legacy.proto")}
    for _ in range(count):
        for file, message, path, msg in [
                ("shop.proto", "kafscope.shop.Order", [1], random_order(shop, rnd)),
                ("shop.proto", "kafscope.shop.Envelope.Inner.Deep", [2, 0, 0], random_envelope(shop, rnd).inner.deep),
                ("shop.proto", "kafscope.shop.Header", [0], shop.Header(source=rnd_text(rnd))),
                ("legacy.proto", "kafscope.legacy.Reading", [0], random_reading(legacy, rnd))]:
            payload = msg.SerializeToString()
            back = type(msg)()
            back.ParseFromString(payload)
            print(json.dumps({"file": file, "message": message, "path": path, "sources": sources,
                              "descriptor_set": os.path.join(out_dir, "all.desc"),
                              "payload_b64": base64.b64encode(payload).decode(), "expected": render_proto(back)}))


# --- producing through the registry ----------------------------------------------------------

def produce(args):
    from confluent_kafka import Producer
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroSerializer
    from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
    from confluent_kafka.schema_registry.json_schema import JSONSerializer
    from confluent_kafka.serialization import SerializationContext, MessageField, StringSerializer
    import fastavro

    rnd = random.Random(args.seed)
    conf = {"url": args.registry}
    if args.registry_auth:
        conf["basic.auth.user.info"] = args.registry_auth
    registry = SchemaRegistryClient(conf)
    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 5})
    out_dir = tempfile.mkdtemp(prefix="kafscope-proto-")
    records = []  # (key_bytes, value_bytes, expected_key, expected_value)

    def avro_ser(schema_text, subject_field=MessageField.VALUE):
        return AvroSerializer(registry, schema_text, conf={"auto.register.schemas": True})

    def avro_expected(schema_texts, framed):
        schemas = [json.loads(t) for t in schema_texts]
        named = {}
        for s in schemas[:-1]:
            fastavro.parse_schema(s, named_schemas=named)
        parsed = fastavro.parse_schema(schemas[-1], named_schemas=named)
        v = fastavro.schemaless_reader(io.BytesIO(framed[5:]), parsed, None)
        return render_avro(avro_names(*schemas), schemas[-1], v)

    def ctx(field):
        return SerializationContext(args.topic, field)

    case = args.case
    if case in ("avro", "avro-bench"):
        name = "everything.avsc" if case == "avro" else "bench.avsc"
        text = read(name)
        ser = avro_ser(text)
        schema = json.loads(text)
        names = avro_names(schema)
        for i in range(args.count):
            value = random_avro(names, schema, rnd)
            framed = ser(value, ctx(MessageField.VALUE))
            expected = avro_expected([text], framed) if case == "avro" else None
            records.append((("k%d" % i).encode(), framed, "k%d" % i, expected))
    elif case == "evolution":
        v1, v2 = read("order_v1.avsc"), read("order_v2.avsc")
        s1, s2 = avro_ser(v1), avro_ser(v2)
        for i in range(args.count):
            if i % 2 == 0:
                framed = s1({"id": i, "item": "apple %d" % i}, ctx(MessageField.VALUE))
                records.append((None, framed, None, avro_expected([v1], framed)))
            else:
                framed = s2({"id": i, "item": "pear", "quantity": i, "note": None if i % 3 else "n%d" % i},
                            ctx(MessageField.VALUE))
                records.append((None, framed, None, avro_expected([v2], framed)))
    elif case == "references":
        from confluent_kafka.schema_registry import Schema, SchemaReference
        customer_text = read("customer.avsc")
        registry.register_schema("shop.Customer", Schema(customer_text, "AVRO"))
        ref = SchemaReference("shop.Customer", "shop.Customer", 1)
        invoice_text = read("invoice.avsc")
        sid = registry.register_schema(args.topic + "-value", Schema(invoice_text, "AVRO", [ref]))
        named = {}
        fastavro.parse_schema(json.loads(customer_text), named_schemas=named)
        parsed = fastavro.parse_schema(json.loads(invoice_text), named_schemas=named)
        names = avro_names(json.loads(customer_text), json.loads(invoice_text))
        for i in range(args.count):
            value = random_avro(names, json.loads(invoice_text), rnd)
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, parsed, value)
            framed = b"\x00" + struct.pack(">I", sid) + buf.getvalue()
            records.append((None, framed, None, avro_expected([customer_text, invoice_text], framed)))
    elif case in ("protobuf", "protobuf-bench"):
        common, shop, legacy, bench = compile_protos(out_dir)
        proto_ser = {}

        def ser_for(cls):
            if cls not in proto_ser:
                proto_ser[cls] = ProtobufSerializer(cls, registry, {"use.deprecated.format": False})
            return proto_ser[cls]

        for i in range(args.count):
            if case == "protobuf-bench":
                msg = bench.Trade(id=i, symbol="ABC", price=1.5 * i, qty=i % 100, venue="XNAS", active=True,
                                  tags=["a", "b"], account=bench.Trade.Account(id=i, name="acc", tier=2), fee=0.25)
            else:
                msg = [random_order(shop, rnd), random_envelope(shop, rnd).inner.deep,
                       shop.Header(source=rnd_text(rnd)), random_reading(legacy, rnd)][i % 4]
            framed = ser_for(type(msg))(msg, ctx(MessageField.VALUE))
            records.append((None, framed, None, render_proto(msg) if case == "protobuf" else None))
    elif case == "protobuf-bare":
        # Written without a registry (no magic byte, no id, no indexes): what --value-proto reads.
        # --descriptor-out keeps protoc's FileDescriptorSet (with imports) for --value-proto too.
        common, shop, legacy, bench = compile_protos(out_dir)
        if args.descriptor_out:
            import shutil
            shutil.copyfile(os.path.join(out_dir, "all.desc"), args.descriptor_out)
        for i in range(args.count):
            msg = random_order(shop, rnd)
            records.append((("k%d" % i).encode(), msg.SerializeToString(), "k%d" % i, render_proto(msg)))
    elif case == "keyed":
        # Keys in Protobuf, values in Avro: different formats per side.
        common, shop, legacy, bench = compile_protos(out_dir)
        key_ser = ProtobufSerializer(shop.Header, registry, {"use.deprecated.format": False})
        text = read("order_v1.avsc")
        val_ser = avro_ser(text)
        for i in range(args.count):
            k = shop.Header(source="key-%d" % i)
            kb = key_ser(k, ctx(MessageField.KEY))
            vb = val_ser({"id": i, "item": "x%d" % i}, ctx(MessageField.VALUE))
            records.append((kb, vb, render_proto(k), avro_expected([text], vb)))
    elif case == "json":
        schema = json.dumps({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                             "required": ["id"]})
        ser = JSONSerializer(schema, registry)
        for i in range(args.count):
            value = {"id": i, "name": rnd_text(rnd)}
            framed = ser(value, ctx(MessageField.VALUE))
            records.append((None, framed, None, json.loads(framed[5:])))
    elif case == "raw":
        # Framed bytes written as given (corrupt payloads, unknown schema ids): --hex lines on stdin.
        for line in sys.stdin:
            line = line.strip()
            if line:
                records.append((None, bytes.fromhex(line), None, None))
    else:
        raise SystemExit("unknown case " + case)

    delivered = []

    def on_delivery(err, msg, expected):
        if err is not None:
            raise SystemExit("delivery failed: %s" % err)
        delivered.append((msg.partition(), msg.offset(), expected))

    for kb, vb, ek, ev in records:
        producer.produce(args.topic, key=kb, value=vb,
                         on_delivery=lambda err, msg, e=(ek, ev, kb, vb): on_delivery(err, msg, e))
        producer.poll(0)
    producer.flush(60)
    if len(delivered) != len(records):
        raise SystemExit("only %d of %d records delivered" % (len(delivered), len(records)))
    if args.quiet:
        print(json.dumps({"delivered": len(delivered)}))
        return
    for partition, offset, (ek, ev, kb, vb) in sorted(delivered, key=lambda d: (d[0], d[1])):
        def sid(b):
            return struct.unpack(">I", b[1:5])[0] if b and len(b) >= 5 and b[0] == 0 else None
        print(json.dumps({"partition": partition, "offset": offset, "key": ek, "value": ev,
                          "key_schema_id": sid(kb), "value_schema_id": sid(vb)}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["avro-cases", "proto-cases", "produce"])
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bootstrap")
    ap.add_argument("--registry")
    ap.add_argument("--registry-auth")
    ap.add_argument("--topic")
    ap.add_argument("--case")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--descriptor-out")
    args = ap.parse_args()
    if args.mode == "avro-cases":
        avro_cases(args.count, args.seed)
    elif args.mode == "proto-cases":
        proto_cases(args.count, args.seed)
    else:
        produce(args)


if __name__ == "__main__":
    main()
