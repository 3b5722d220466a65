"""DescribeConfigs. Topic configs come from the scenario's topics[name]["configs"], broker configs
from "broker_configs"; each entry is a value string or {"value", "source", "sensitive", "read_only",
"synonyms": [[name, value, source]], "type", "doc"}. source numbers as in Kafka (1 dynamic topic,
4 static broker, 5 default)."""

from kafka.protocol.admin import DescribeConfigsRequest

from .. import core


def _entries(spec):
    for name, e in sorted(spec.items()):
        if not isinstance(e, dict):
            e = {"value": e}
        yield name, e


@core.handles(DescribeConfigsRequest)
def describe_configs(ctx, req):
    R, c = ctx.Response, ctx.cluster
    results = []
    for res in req.resources:
        out = R.DescribeConfigsResult(error_code=0, error_message=None, resource_type=res.resource_type,
                                      resource_name=res.resource_name, configs=[])
        if res.resource_type == 2:
            topic = c.topics().get(res.resource_name)
            spec = None if topic is None else topic.get("configs", {})
        elif res.resource_type == 4:
            spec = ctx.scenario.get("broker_configs", {}).get(res.resource_name, ctx.scenario.get("broker_configs", {}).get("*"))
        else:
            spec = None
        if spec is None:
            out.error_code = 3 if res.resource_type == 2 else 87
            out.error_message = f"{res.resource_name} not found in the fake's scenario"
        else:
            keys = None if res.configuration_keys is None else set(res.configuration_keys)
            for name, e in _entries(spec):
                if keys is not None and name not in keys:
                    continue
                source = e.get("source", 1)
                C = R.DescribeConfigsResult.DescribeConfigsResourceResult
                out.configs.append(C(
                    name=name, value=None if e.get("sensitive") else e.get("value"),
                    read_only=e.get("read_only", False), config_source=source, is_default=source == 5,
                    is_sensitive=e.get("sensitive", False),
                    synonyms=[C.DescribeConfigsSynonym(name=n, value=v, source=s) for n, v, s in e.get("synonyms", [])],
                    config_type=e.get("type", 0), documentation=e.get("doc")))
        results.append(out)
    ctx.note = {"names": [r.resource_name for r in req.resources]}
    return ctx.respond(throttle_time_ms=0, results=results)
