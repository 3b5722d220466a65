"""ApiVersions: every API that has a handler, at the versions both kafka-python's request and response
classes know; scenario "api_versions": {"<key>": [min, max] | null} narrows or removes one."""

from kafka.protocol.metadata import ApiVersionsRequest

from .. import core, messages


def advertised(cluster):
    overrides = cluster.scenario.get("api_versions", {})
    out = []
    for key in sorted(core.HANDLERS):
        req, resp = messages.REQUESTS[key], messages.RESPONSES[key]
        lo = max(req._valid_versions[0], resp._valid_versions[0])
        hi = min(req.max_version, resp.max_version)
        if str(key) in overrides:
            if overrides[str(key)] is None:
                continue
            lo, hi = overrides[str(key)]
        out.append((key, lo, hi))
    return out


@core.handles(ApiVersionsRequest)
def api_versions(ctx, req):
    R = ctx.Response
    keys = [R.ApiVersion(api_key=k, min_version=lo, max_version=hi) for k, lo, hi in advertised(ctx.cluster)]
    return ctx.respond(error_code=0, api_keys=keys, throttle_time_ms=0)
