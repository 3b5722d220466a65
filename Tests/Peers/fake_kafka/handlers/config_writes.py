"""IncrementalAlterConfigs over the scenario's configs (see configs.py for the entry format): SET
(op 0) makes the value the resource's own (source 1 for a topic, 2 for a broker, 3 for the broker
default "" resource); DELETE (op 1) drops it back to the entry's "default" (source 5) or removes the
key. validate_only changes nothing. Refusals: "refuse": {"44": {"<resource name>": [code, msg]}};
unknown topic keys, non-numeric *.ms / *.bytes values and read_only entries get INVALID_CONFIG (40)
with Kafka's wording. Broker resources accept the keys their entry map has plus "known_configs"."""

from kafka.protocol.admin import IncrementalAlterConfigsRequest

from .. import core
from .topic_writes import KNOWN_TOPIC_CONFIGS, refusal


def resource_spec(ctx, rtype, name, create):
    s = ctx.scenario
    if rtype == 2:
        t = ctx.cluster.topics().get(name)
        return None if t is None else t.setdefault("configs", {})
    if rtype == 4:
        table = s.setdefault("broker_configs", {})
        key = name if name in table or create else "*"
        if create and name not in table:
            table[name] = {}
        return table.get(key)
    return None


def problem(ctx, rtype, spec, change):
    entry = spec.get(change.name)
    entry = entry if isinstance(entry, dict) or entry is None else {"value": entry}
    known = set(spec) | set(ctx.scenario.get("known_configs", []))
    if rtype == 2:
        known |= KNOWN_TOPIC_CONFIGS
    if change.name not in known:
        return 40, f"Unknown {'topic' if rtype == 2 else 'broker'} config name: {change.name}"
    if entry and entry.get("read_only"):
        return 40, f"Cannot update these configs dynamically: [{change.name}]"
    if change.config_operation == 0:
        v = change.value or ""
        if (change.name.endswith(".ms") or change.name.endswith(".bytes")) and not v.lstrip("-").isdigit():
            return 40, f"Invalid value {v} for configuration {change.name}: Not a number of type LONG"
    if change.config_operation not in (0, 1):
        return 42, f"operation {change.config_operation} is not supported by this fake"
    return None


@core.handles(IncrementalAlterConfigsRequest)
def incremental_alter_configs(ctx, req):
    R = ctx.Response
    out = []
    for res in req.resources:
        level = 1 if res.resource_type == 2 else (3 if res.resource_name == "" else 2)
        error = refusal(ctx, 44, res.resource_name)
        spec = resource_spec(ctx, res.resource_type, res.resource_name, create=False)
        if error is None and spec is None:
            error = (3, f"Topic {res.resource_name} does not exist") if res.resource_type == 2 else (87, "no such broker")
        if error is None:
            for change in res.configs:
                error = problem(ctx, res.resource_type, spec, change)
                if error:
                    break
        if error is None and not req.validate_only:
            spec = resource_spec(ctx, res.resource_type, res.resource_name, create=True)
            for change in res.configs:
                entry = spec.get(change.name)
                entry = dict(entry) if isinstance(entry, dict) else ({} if entry is None else {"value": entry, "source": level})
                if change.config_operation == 0:
                    entry["value"], entry["source"] = change.value, level
                    spec[change.name] = entry
                elif "default" in entry:
                    entry["value"], entry["source"] = entry["default"], 5
                    spec[change.name] = entry
                else:
                    spec.pop(change.name, None)
        r = R.AlterConfigsResourceResponse(error_code=0, error_message=None, resource_type=res.resource_type,
                                           resource_name=res.resource_name)
        if error:
            r.error_code, r.error_message = error
        out.append(r)
    ctx.note = {"names": [r.resource_name for r in req.resources], "validate_only": req.validate_only,
                "changes": [[c.name, c.config_operation, c.value] for r in req.resources for c in r.configs]}
    return ctx.respond(throttle_time_ms=0, responses=out)
