"""Hooks for the contract test's schemathesis run (loaded through SCHEMATHESIS_HOOKS)."""

import schemathesis

ROLE_ARN = "/installs/{installId}/role-arn"


@schemathesis.hook
def before_call(context, case, kwargs):
    # A verification of a role that does not exist outlasts any wait (IAM propagation is retried for minutes), so
    # each valid waitSeconds would cost the run its full value: 0 and 1 answer the same way, sooner. Values outside
    # 0..60 stay as generated, so negative cases stay negative.
    if case.operation.path != ROLE_ARN or not isinstance(case.body, dict):
        return
    # Left out, it is 20 seconds, longer than schemathesis waits for an answer; the default is the API tests' to check.
    wait = case.body.get("waitSeconds", 20)
    # JSON's integers include 29.0, which Python reads as a float.
    whole = type(wait) is int or (type(wait) is float and wait.is_integer())
    if whole and 1 < wait <= 60:
        case.body["waitSeconds"] = 1
        if isinstance(kwargs.get("json"), dict):
            kwargs["json"]["waitSeconds"] = 1
