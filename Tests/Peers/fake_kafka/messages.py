"""Request/response classes by API key: kafka-python's, plus the few it lacks, built by kafka-python's
generic JSON-schema codec from Kafka's own schema files (the ones kafscope's generator reads too, at
$KAFKA_SCHEMAS or <repo>/../shared/kafka-protocol/messages). No kafscope code is involved."""

import json
import os
import re

import kafka.protocol.admin  # noqa: F401  (registers the classes)
import kafka.protocol.consumer  # noqa: F401
import kafka.protocol.metadata  # noqa: F401
import kafka.protocol.producer  # noqa: F401
import kafka.protocol.api_data as _api_data
from kafka.protocol.api_message import ApiMessage
from kafka.protocol.schemas.load_json import _resolve_common_structs

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def schema_dir():
    return os.environ.get("KAFKA_SCHEMAS") or os.path.join(os.path.dirname(REPO_ROOT), "shared", "kafka-protocol", "messages")


def _load_schema_file(name):
    path = os.path.join(schema_dir(), name + ".json")
    if not os.path.exists(path):
        raise RuntimeError(f"Kafka JSON schema {path} not found (set KAFKA_SCHEMAS)")
    with open(path) as f:
        text = f.read()
    data = json.loads(re.sub(r"(?m)^\s*//.*\n?", "", text))
    common = {s["name"]: s["fields"] for s in data.get("commonStructs", [])}
    if common:
        _resolve_common_structs(data.get("fields", []), common)
    return data


def define_from_schema(name):
    """Defines an ApiMessage subclass for a schema kafka-python does not bundle."""
    original = _api_data.load_json
    _api_data.load_json = lambda msg_type, package=None: _load_schema_file(msg_type)
    try:
        return type(name, (ApiMessage,), {})
    finally:
        _api_data.load_json = original


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# Schemas kafka-python 3.0.12 does not ship; add more names here as kafscope starts using them.
MISSING = ["ConsumerGroupDescribeRequest", "ConsumerGroupDescribeResponse"]
EXTRA = {}


def _build_tables():
    for name in MISSING:
        if not any(c.__name__ == name for c in _subclasses(ApiMessage)):
            EXTRA[name] = define_from_schema(name)
    requests, responses = {}, {}
    for c in _subclasses(ApiMessage):
        if getattr(c, "_class_version", None) is not None or getattr(c, "_json", None) is None:
            continue
        (requests if c.is_request() else responses)[c.API_KEY] = c
    return requests, responses


REQUESTS, RESPONSES = _build_tables()


def response_class(api_key):
    return RESPONSES[api_key]


def by_name(name):
    """A message class by its schema name, e.g. "ConsumerGroupDescribeResponse"."""
    for table in (REQUESTS, RESPONSES):
        for c in table.values():
            if c.__name__ == name:
                return c
    raise KeyError(name)
