"""Starts moto's server with fidelity fixes the orchestrator's tests depend on.

1. Trust policies are evaluated as AWS does, for every AssumeRole (moto only evaluated them for roles in the
   caller's own account, and refuses roles that do not exist). moto's own evaluation differed from AWS's documented
   logic, each of which let a trust policy shape verify (or fail) locally as it would not in AWS:
   - a statement that does not match the request (another principal, an unmet condition) does not apply; moto
     turned it into a refusal of the whole policy, so "the vendor, and also another account" refused the vendor;
   - an explicit Deny wins over any Allow; moto let a matching Deny without Resource grant;
   - Principal "*", an account id and an account root admit principals of that account; moto refused the root
     forms and failed on "*";
   - condition keys are case-insensitive; moto compared them exactly;
   - a condition on a key the request does not carry (AssumeRole without ExternalId) fails, except for IfExists,
     negated operators and Null; moto let it pass;
   - StringLike, StringNotEquals, the IgnoreCase and IfExists variants and Null are evaluated; moto evaluated only
     StringEquals and ignored the rest. Any other operator makes its statement not apply.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
2. Actions whose resource moto cannot name (it passes "*", e.g. for CloudFormation) are judged on the action
   alone, instead of failing every resource-scoped statement.
3. HeadBucket is authorised as s3:ListBucket, as in AWS (IAM has no s3:HeadBucket action).
4. DeleteObjects is authorised as s3:DeleteObject on each key, as in AWS; moto checks the bucket's ARN, so a
   policy that grants deletion under a prefix (the least privilege the deprovision policy asks for) refused every
   key. A refusal of any key refuses them all here; AWS would refuse only those keys.
"""
import json
import re
import sys

import xmltodict

from moto.iam import access_control
from moto.iam.models import iam_backends
from moto.iam.utils import REQUIRE_RESOURCE_ACCESS_POLICIES_CHECK
from moto.s3 import responses as s3_responses
from moto.server import main
from moto.utilities.utils import get_partition


def _role_in_its_account(request, role_arn):
    parts = role_arn.split(":")
    if len(parts) < 6 or ":role/" not in role_arn:
        return None
    backend = iam_backends[parts[4]][get_partition(request._region)]
    for role in backend.get_roles():
        if role.arn == role_arn:
            return role
    return None


def _is_assuming_role_operation(self, resource_arn):
    return ":role/" in resource_arn and self._action in REQUIRE_RESOURCE_ACCESS_POLICIES_CHECK


def _as_list(element):
    return element if isinstance(element, list) else [element]


def _wildcard_matches(pattern, value, ignore_case=False):
    # IAM wildcards: * any run of characters, ? exactly one; everything else is literal.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in str(pattern))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def _principal_matches(element, caller_arn):
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    parts = caller_arn.split(":")
    account = parts[4]
    admitted = {"*", caller_arn, account, f"arn:{parts[1]}:iam::{account}:root"}
    return any(name in admitted for name in _as_list(element.get("AWS", [])))


# operator: (does one expected value match the request's value, is the operator negated)
_STRING_OPERATORS = {
    "StringEquals": (lambda expected, actual: actual == expected, False),
    "StringNotEquals": (lambda expected, actual: actual == expected, True),
    "StringEqualsIgnoreCase": (lambda expected, actual: actual.lower() == expected.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda expected, actual: actual.lower() == expected.lower(), True),
    "StringLike": (lambda expected, actual: _wildcard_matches(expected, actual), False),
    "StringNotLike": (lambda expected, actual: _wildcard_matches(expected, actual), True),
}


def _conditions_hold(condition, incoming):
    request = {key.lower(): value for key, value in incoming.items()}
    for operator, pairs in (condition or {}).items():
        if_exists = operator.endswith("IfExists")
        base = operator[: -len("IfExists")] if if_exists else operator
        for key, expected in pairs.items():
            actual = request.get(key.lower())
            expected = [str(value) for value in _as_list(expected)]
            if base == "Null":
                if (actual is None) != (expected[0].lower() == "true"):
                    return False
                continue
            if base not in _STRING_OPERATORS:
                return False
            matches, negated = _STRING_OPERATORS[base]
            if actual is None:
                if if_exists or negated:
                    continue
                return False
            if any(matches(value, actual) for value in expected) == negated:
                return False
    return True


def _trust_policy_allows(document, action, caller_arn, incoming):
    allowed = False
    for statement in _as_list(json.loads(document).get("Statement", [])):
        if "NotAction" in statement:
            concerned = not any(_wildcard_matches(p, action, True) for p in _as_list(statement["NotAction"]))
        else:
            concerned = any(_wildcard_matches(p, action, True) for p in _as_list(statement.get("Action", [])))
        if "NotPrincipal" in statement:
            admitted = not _principal_matches(statement["NotPrincipal"], caller_arn)
        else:
            admitted = _principal_matches(statement.get("Principal"), caller_arn)
        if not (concerned and admitted and _conditions_hold(statement.get("Condition"), incoming)):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = True
    return allowed


def _check_role_trust_relationship(self, role_arn):
    role = _role_in_its_account(self, role_arn)
    if role is None:
        return False
    incoming = access_control.format_incoming_conditional_values(self._data)
    return _trust_policy_allows(role.assume_role_policy_document, self._action, self._access_key.arn, incoming)


_original_element_matches = access_control.IAMPolicyStatement._check_element_matches


def _check_element_matches(self, statement_element, value):
    if statement_element == "Resource" and value == "*":
        return True
    return _original_element_matches(self, statement_element, value)


_original_authorize_s3_action = s3_responses.S3Response._authenticate_and_authorize_s3_action


def _authorize_s3_action(self, bucket_name=None, key_name=None):
    if key_name is None and self.data.get("Action") == "DeleteObject" and self.is_delete_keys():
        objects = xmltodict.parse(self.body, strip_whitespace=False).get("Delete", {}).get("Object", [])
        for obj in objects if isinstance(objects, list) else [objects]:
            _original_authorize_s3_action(self, bucket_name=bucket_name, key_name=obj["Key"])
        return None
    return _original_authorize_s3_action(self, bucket_name=bucket_name, key_name=key_name)


access_control.IAMRequestBase._is_assuming_role_operation = _is_assuming_role_operation
access_control.IAMRequestBase._check_role_trust_relationship = _check_role_trust_relationship
access_control.IAMPolicyStatement._check_element_matches = _check_element_matches
s3_responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"
s3_responses.S3Response._authenticate_and_authorize_s3_action = _authorize_s3_action

if __name__ == "__main__":
    sys.exit(main())
