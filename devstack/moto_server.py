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
5. sts:GetCallerIdentity checks its SigV4 signature as STS does (the runner's identity proof depends on it). moto
   verified the signature itself against the secret key it issued (users and assumed-role sessions, with the session
   token), but accepted any X-Amz-Date, and failed with a 500 when the Authorization header lacked a part. Here,
   only for GetCallerIdentity and only once IAM is enforced:
   - an X-Amz-Date more than 15 minutes before or after the server's clock is refused with SignatureDoesNotMatch
     (403) "Signature expired: ..." / "Signature not yet current: ...";
   - an Authorization header without Credential, SignedHeaders or Signature, with another algorithm, or whose
     signed headers leave out host or x-amz-date (or whose X-Amz-Date is missing) is IncompleteSignature (400).
   A request with no Authorization header at all still fails inside moto (500) before this check.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
   https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
6. A CloudFormation stack update of an AWS::IAM::Role applies its new AssumeRolePolicyDocument, as in AWS; moto's
   update kept the old trust policy, so an External ID rotation done as a stack update of the quick-create role
   stack (the kit's update-role-stack.sh) left the role refusing the new ID. Only the trust policy is added here.
   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html (Update requires: No
   interruption)
"""
import datetime
import json
import re
import sys

import xmltodict

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import _RESTError
from moto.iam import access_control
from moto.iam.models import Role, iam_backends
from moto.iam.utils import REQUIRE_RESOURCE_ACCESS_POLICIES_CHECK
from moto.s3 import responses as s3_responses
from moto.server import main
from moto.sts.responses import TokenResponse
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


# 5. sts:GetCallerIdentity's signature: its date within 15 minutes, every part of its Authorization header present.
_SIGNATURE_WINDOW = datetime.timedelta(minutes=15)
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


class _StsAuthError(_RESTError):
    def __init__(self, status, error_type, message):
        super().__init__(error_type, message)
        self.code = status


def _incomplete(authorization, missing):
    return _StsAuthError(400, "IncompleteSignature", f"{' '.join(missing)} Authorization={authorization}")


def _check_sts_signature_shape(headers, now):
    authorization = headers.get("Authorization", "")
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        raise _StsAuthError(400, "IncompleteSignature", f"Unsupported AWS 'algorithm': '{algorithm}'")
    parts = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        parts[name] = value
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parts.get(name)
    ]
    amz_date = headers.get("X-Amz-Date")
    if amz_date is None:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise _incomplete(authorization, missing)
    signed = parts["SignedHeaders"].split(";")
    for required in ("host", "x-amz-date"):
        if required not in signed:
            raise _StsAuthError(
                400, "IncompleteSignature", f"'{required}' must be a 'SignedHeader' in the AWS Authorization."
            )
    try:
        signed_at = datetime.datetime.strptime(amz_date, _AMZ_DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise _incomplete(authorization, [f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'."])
    stamp = lambda moment: moment.strftime(_AMZ_DATE_FORMAT)
    if signed_at < now - _SIGNATURE_WINDOW:
        raise _StsAuthError(
            403,
            "SignatureDoesNotMatch",
            f"Signature expired: {amz_date} is now earlier than {stamp(now - _SIGNATURE_WINDOW)} "
            f"({stamp(now)} - 15 min.)",
        )
    if signed_at > now + _SIGNATURE_WINDOW:
        raise _StsAuthError(
            403,
            "SignatureDoesNotMatch",
            f"Signature not yet current: {amz_date} is still later than {stamp(now + _SIGNATURE_WINDOW)} "
            f"({stamp(now)} + 15 min.)",
        )


_original_sts_authenticate = TokenResponse._authenticate_and_authorize_normal_action


def _sts_authenticate(self, resource="*"):
    enforcing = ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
    if enforcing and self._get_action() == "GetCallerIdentity":
        _check_sts_signature_shape(self.headers, datetime.datetime.now(datetime.timezone.utc))
    return _original_sts_authenticate(self, resource)


TokenResponse._authenticate_and_authorize_normal_action = _sts_authenticate

access_control.IAMRequestBase._is_assuming_role_operation = _is_assuming_role_operation
access_control.IAMRequestBase._check_role_trust_relationship = _check_role_trust_relationship
access_control.IAMPolicyStatement._check_element_matches = _check_element_matches
s3_responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"
s3_responses.S3Response._authenticate_and_authorize_s3_action = _authorize_s3_action

# 6. The trust policy of a role updated by a stack update.
_original_role_update = Role.update_from_cloudformation_json.__func__


def _update_role_from_cloudformation(
    cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
):
    # moto passes these by name: they keep moto's names.
    role = _original_role_update(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    )
    document = cloudformation_json["Properties"].get("AssumeRolePolicyDocument")
    if document is not None:
        backend = iam_backends[account_id][get_partition(region_name)]
        text = document if isinstance(document, str) else json.dumps(document, default=str)
        backend.update_assume_role_policy(role.name, text)
    return role


Role.update_from_cloudformation_json = classmethod(_update_role_from_cloudformation)

if __name__ == "__main__":
    sys.exit(main())
