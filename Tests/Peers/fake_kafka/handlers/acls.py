"""DescribeAcls over the scenario's "acls": [{"resource_type": 2, "name": "orders", "pattern": 3,
"principal": "User:alice", "host": "*", "operation": 3, "permission": 3}], filtered as Kafka's
AclBindingFilter does (ANY / LITERAL / PREFIXED / MATCH). "acl_error": [code, "message"] answers that
error instead (e.g. SECURITY_DISABLED 54 for a cluster without an authorizer)."""

from kafka.protocol.admin import DescribeAclsRequest

from .. import core

ANY, MATCH, LITERAL, PREFIXED = 1, 2, 3, 4


def name_matches(acl, want_pattern, want_name):
    pattern, name = acl.get("pattern", LITERAL), acl["name"]
    if want_pattern == ANY:
        return want_name is None or name == want_name
    if want_pattern == LITERAL:
        return pattern == LITERAL and (want_name is None or name == want_name)
    if want_pattern == PREFIXED:
        return pattern == PREFIXED and (want_name is None or name == want_name)
    if want_pattern == MATCH:
        if want_name is None:
            return True
        if pattern == LITERAL:
            return name == want_name or name == "*"
        return pattern == PREFIXED and want_name.startswith(name)
    return False


def matches(acl, req):
    return ((req.resource_type_filter == 1 or acl["resource_type"] == req.resource_type_filter)
            and name_matches(acl, req.pattern_type_filter, req.resource_name_filter)
            and (req.principal_filter is None or acl["principal"] == req.principal_filter)
            and (req.host_filter is None or acl.get("host", "*") == req.host_filter)
            and (req.operation == 1 or acl["operation"] == req.operation)
            and (req.permission_type == 1 or acl["permission"] == req.permission_type))


@core.handles(DescribeAclsRequest)
def describe_acls(ctx, req):
    R = ctx.Response
    error = ctx.scenario.get("acl_error")
    ctx.note = {"pattern": req.pattern_type_filter, "name": req.resource_name_filter, "principal": req.principal_filter}
    if error:
        return ctx.respond(throttle_time_ms=0, error_code=error[0], error_message=error[1], resources=[])
    groups = {}
    for acl in ctx.scenario.get("acls", []):
        if matches(acl, req):
            key = (acl["resource_type"], acl["name"], acl.get("pattern", LITERAL))
            groups.setdefault(key, []).append(R.DescribeAclsResource.AclDescription(
                principal=acl["principal"], host=acl.get("host", "*"), operation=acl["operation"],
                permission_type=acl["permission"]))
    resources = [R.DescribeAclsResource(resource_type=t, resource_name=n, pattern_type=p, acls=a)
                 for (t, n, p), a in sorted(groups.items())]
    return ctx.respond(throttle_time_ms=0, error_code=0, error_message=None, resources=resources)
