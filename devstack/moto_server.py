"""Starts moto's server with four fidelity fixes the orchestrator's tests depend on.

1. Cross-account AssumeRole: moto only evaluates a role's trust policy (and so its sts:ExternalId condition)
   when the role is in the caller's own account. AWS always evaluates it, and refuses roles that do not exist.
2. A trust policy condition on a key the request does not carry (AssumeRole without ExternalId) fails, as in
   AWS; moto lets it pass.
3. Actions whose resource moto cannot name (it passes "*", e.g. for CloudFormation) are judged on the action
   alone, instead of failing every resource-scoped statement.
4. HeadBucket is authorised as s3:ListBucket, as in AWS (IAM has no s3:HeadBucket action).
5. DeleteObjects is authorised as s3:DeleteObject on each key, as in AWS; moto checks the bucket's ARN, so a
   policy that grants deletion under a prefix (the least privilege the deprovision policy asks for) refused every
   key. A refusal of any key refuses them all here; AWS would refuse only those keys.
"""
import sys

import xmltodict

from moto.iam import access_control
from moto.iam.models import iam_backends
from moto.iam.policy_conditions import CONDITION_OPERATIONS
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


def _check_role_trust_relationship(self, role_arn):
    role = _role_in_its_account(self, role_arn)
    if role is None:
        return False
    policy = access_control.IAMPolicy(role.assume_role_policy_document)
    incoming = access_control.format_incoming_conditional_values(self._data)
    result = policy.is_action_permitted(self._action, role_arn, self._access_key.arn, incoming)
    return result == access_control.PermissionResult.PERMITTED


_original_check_conditions = access_control.IAMPolicyStatement._check_conditions


def _check_conditions(self, incoming_condition_values):
    # Only trust-policy evaluation passes request values; identity policies keep moto's lenient behaviour.
    if incoming_condition_values is None:
        return _original_check_conditions(self, incoming_condition_values)
    for operator, pairs in (self._statement.get("Condition") or {}).items():
        operation = CONDITION_OPERATIONS.get(operator)
        if operation is None:
            continue
        for key, expected in pairs.items():
            if key not in incoming_condition_values:
                return False
            if not operation(expected, incoming_condition_values[key]):
                return False
    return True


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
access_control.IAMPolicyStatement._check_conditions = _check_conditions
s3_responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"
s3_responses.S3Response._authenticate_and_authorize_s3_action = _authorize_s3_action

if __name__ == "__main__":
    sys.exit(main())
