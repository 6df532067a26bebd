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
6. Service-managed StackSets follow the organization as AWS documents. moto ignored AutoDeployment (neither kept
   nor acted on) and DeploymentTargets on DeleteStackInstances:
   - CreateStackSet keeps AutoDeployment (DescribeStackSet answers it); with it enabled, an account that moves into
     an OU the StackSet targets (or an OU below one) gets a stack instance in each of the StackSet's regions, and an
     account that leaves them (moved elsewhere, removed from the organization) loses its instance, resources and
     all, unless RetainStacksOnAccountRemoval is true;
   - DeleteStackInstances with DeploymentTargets.OrganizationalUnitIds deletes the instances of the accounts in
     those OUs (moto deleted nothing, silently), and keeps their stacks only when RetainStacks is true.
   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html
   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_AutoDeployment.html
   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStackInstances.html
7. The role CreateAccount makes in a new member account (OrganizationAccountAccessRole) grants administrator
   access, as in AWS; moto created it with no policy, so under IAM enforcement the management account could enter
   the account and do nothing there. Granted here by an inline policy of the same content as AdministratorAccess.
   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html
8. A role's inline policies from a CloudFormation template (AWS::IAM::Role Policies) are kept as JSON, as IAM keeps
   every policy; moto kept the template's parsed object, so GetRolePolicy answered Python's repr of it (single
   quotes), which no JSON parser reads: a role made by a stack, or a StackSet, could not be inspected.
   https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
9. Deleting a stack (or a stack instance) whose IAM resource was already deleted outside CloudFormation succeeds for
   that resource, as CloudFormation takes a delete handler's NotFound as done; moto failed the whole deletion with
   NoSuchEntity, so a StackSet whose member role a customer had deleted could never be removed.
   https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-test-contract.html
10. A session of a role that has since been deleted (an account that left a StackSet's OUs loses the member role)
   has no permissions: its requests are refused with AccessDenied, as AWS refuses them once the role's policies are
   gone; moto failed with an HTML 500 page (NoSuchEntity raised while collecting the role's policies), which
   clients cannot parse and retry for a minute.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html
11. AssumeRoleWithWebIdentity checks the token as STS does; moto issued credentials for any string. The call is
   unsigned (a caller with no AWS credentials at all), so it skips signature checks. STS finds the OIDC provider
   of the role's account whose URL is the token's iss, fetches <iss>/.well-known/openid-configuration and its
   jwks_uri (here over http only on loopback; AWS needs https), verifies the signature with the key the token's kid
   names (RS256 or ES256), refuses an expired token (ExpiredTokenException), one not yet valid, signed by an unknown
   key or for an audience not among the provider's client ids (InvalidIdentityToken), and evaluates the role's trust
   policy as in 1 with Principal Federated = the provider's ARN and the token's claims as the condition keys
   <provider-host-path>:aud and :sub (AccessDenied).
   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
12. A CloudFormation stack update of an AWS::IAM::Role applies its new AssumeRolePolicyDocument, as in AWS; moto's
   update kept the old trust policy, so an External ID rotation done as a stack update of the quick-create role
   stack (the kit's update-role-stack.sh) left the role refusing the new ID. Only the trust policy is added here.
   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html (Update requires: No
   interruption)
13. Requests are served one at a time, so each is answered whole whatever else is in flight, as AWS answers
   concurrent calls. moto's server runs each request on its own thread over backends that are plain dictionaries: a
   role created while another request scanned the account's roles (CreateRole's duplicate check, GetRole, every call
   signed by a role session) failed that request with a 500, "dictionary changed size during iteration". When the
   request was a CreateStack making roles, the stack stayed CREATE_IN_PROGRESS for ever; a CloudFormation stack
   always ends CREATE_COMPLETE or, failing, CREATE_FAILED / ROLLBACK_COMPLETE. Connections are still accepted
   concurrently; only the handling of a request holds the lock (moto's work is CPU-bound Python under one
   interpreter lock anyway, so little throughput is lost).
   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html
"""
import base64
import datetime
import ipaddress
import json
import re
import sys
import threading
import time
import urllib.request
from urllib.parse import urlparse

import xmltodict

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import _RESTError
from moto.iam import access_control
from moto.iam import models as iam_models
from moto.iam.models import Role, iam_backends
from moto.iam.utils import REQUIRE_RESOURCE_ACCESS_POLICIES_CHECK
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.cloudformation import models as cloudformation_models
from moto.cloudformation import parsing as cloudformation_parsing
from moto.cloudformation import responses as cloudformation_responses
from moto.organizations import models as organizations_models
from moto.s3 import responses as s3_responses
from moto.server import main
from moto.sts.exceptions import STSClientError
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


def _trust_policy_allows(document, action, caller_arn, incoming, principal_matches=None):
    principal_matches = principal_matches or _principal_matches
    allowed = False
    for statement in _as_list(json.loads(document).get("Statement", [])):
        if "NotAction" in statement:
            concerned = not any(_wildcard_matches(p, action, True) for p in _as_list(statement["NotAction"]))
        else:
            concerned = any(_wildcard_matches(p, action, True) for p in _as_list(statement.get("Action", [])))
        if "NotPrincipal" in statement:
            admitted = not principal_matches(statement["NotPrincipal"], caller_arn)
        else:
            admitted = principal_matches(statement.get("Principal"), caller_arn)
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



# 6. Service-managed StackSets: AutoDeployment and DeploymentTargets on deletion.
_original_create_stack_set = cloudformation_responses.CloudFormationResponse.create_stack_set
_original_create_stack_instances = cloudformation_models.StackSet.create_stack_instances
_original_delete_stack_instances_response = cloudformation_responses.CloudFormationResponse.delete_stack_instances
_original_move_account = organizations_models.OrganizationsBackend.move_account
_original_remove_account = organizations_models.OrganizationsBackend.remove_account_from_organization
# StackSets with AutoDeployment enabled, by the organization's management account, to follow its accounts.
_auto_deployed_stack_sets = []


def _create_stack_set(self):
    result = _original_create_stack_set(self)
    auto = self._get_params().get("AutoDeployment")
    if auto is not None:
        stack_set = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
        enabled = str(auto.get("Enabled", "false")).lower() == "true"
        retain = str(auto.get("RetainStacksOnAccountRemoval", "false")).lower() == "true"
        stack_set.auto_deployment = {"Enabled": enabled, "RetainStacksOnAccountRemoval": retain}
        if enabled:
            _auto_deployed_stack_sets.append(stack_set)
    return result


def _stack_set_create_stack_instances(self, accounts, regions, deployment_targets, parameters):
    targets = getattr(self, "target_ous", set())
    self.target_ous = targets | set((deployment_targets or {}).get("OrganizationalUnitIds", []))
    self.target_regions = getattr(self, "target_regions", set()) | set(regions)
    return _original_create_stack_instances(self, accounts, regions, deployment_targets, parameters)


def _accounts_under(org_backend, ou_ids):
    """The accounts in these OUs or any OU below them."""
    ous = set(ou_ids)
    grew = True
    while grew:
        below = {ou.id for ou in org_backend.ou if ou.parent_id in ous}
        grew = not below <= ous
        ous |= below
    return {account.id for account in org_backend.accounts if account.parent_id in ous}


def _delete_instances(stack_set, accounts, regions, retain):
    doomed = [i for i in stack_set.instances.stack_instances if i.account_id in accounts and i.region_name in regions]
    for instance in doomed:
        if not retain:
            instance.delete()
        stack_set.instances.stack_instances.remove(instance)
    return doomed


def _delete_stack_instances(self):
    targets = self._get_params().get("DeploymentTargets") or {}
    ou_ids = targets.get("OrganizationalUnitIds") or []
    if not ou_ids:
        return _original_delete_stack_instances_response(self)
    stack_set = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    regions = self._get_param("Regions", [])
    retain = str(self._get_param("RetainStacks", "false")).lower() == "true"
    accounts = _accounts_under(stack_set.instances.org_backend, ou_ids)
    _delete_instances(stack_set, accounts, regions, retain)
    stack_set.target_ous = getattr(stack_set, "target_ous", set()) - set(ou_ids)
    operation_id = str(cloudformation_models.mock_random.uuid4())
    stack_set._create_operation(operation_id, "DELETE", "SUCCEEDED", sorted(accounts), regions)
    return cloudformation_responses.ActionResult({"OperationId": operation_id})


def _follow_organization(org_backend):
    for stack_set in list(_auto_deployed_stack_sets):
        if stack_set.status == "DELETED":
            _auto_deployed_stack_sets.remove(stack_set)
            continue
        if stack_set.instances.account_id != org_backend.account_id:
            continue
        members = _accounts_under(org_backend, getattr(stack_set, "target_ous", set()))
        regions = sorted(getattr(stack_set, "target_regions", set()))
        deployed = {i.account_id for i in stack_set.instances.stack_instances}
        leavers = deployed - members
        if leavers:
            _delete_instances(stack_set, leavers, regions, stack_set.auto_deployment["RetainStacksOnAccountRemoval"])
        joiners = sorted(members - deployed)
        if joiners and regions:
            stack_set.instances.create_instances(
                joiners, regions, stack_set.parameters or {}, {}, permission_model=stack_set.permission_model
            )


def _move_account(self, **kwargs):
    _original_move_account(self, **kwargs)
    _follow_organization(self)


def _remove_account_from_organization(self, **kwargs):
    _original_remove_account(self, **kwargs)
    _follow_organization(self)


# 7. The member account's OrganizationAccountAccessRole grants administrator access.
_original_account_init = organizations_models.FakeAccount.__init__
_administrator_access = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _account_init(self, organization, **kwargs):
    _original_account_init(self, organization, **kwargs)
    role_name = kwargs.get("RoleName", "OrganizationAccountAccessRole")
    iam_backends[self.id]["global"].put_role_policy(role_name, "AdministratorAccess", json.dumps(_administrator_access))


# 8. Inline policies of a role made by CloudFormation are kept as JSON.
_original_role_from_cloudformation = iam_models.Role.create_from_cloudformation_json.__func__


def _role_from_cloudformation(cls, *args, **kwargs):
    role = _original_role_from_cloudformation(cls, *args, **kwargs)
    for name, document in list(role.policies.items()):
        if not isinstance(document, str):
            role.policies[name] = json.dumps(document, default=iam_models._serialize_version_datetime)
    return role


# 9. A resource already gone counts as deleted.
_original_delete_resource = cloudformation_parsing.ResourceMap._delete_resource


def _delete_resource(self, parsed_resource, resource_json):
    try:
        _original_delete_resource(self, parsed_resource, resource_json)
    except Exception as error:
        if getattr(error, "code", None) != "NoSuchEntity":
            raise


# 10. A deleted role's sessions have no policies.
_original_collect_role_policies = access_control.AssumedRoleAccessKey.collect_policies


def _collect_role_policies(self):
    try:
        return _original_collect_role_policies(self)
    except Exception as error:
        if getattr(error, "code", None) != "NoSuchEntity":
            raise
        return []


# 11. AssumeRoleWithWebIdentity: the token is checked as STS checks it.
_web_identity_action = "AssumeRoleWithWebIdentity"
_jwks_fetch_seconds = 5
_max_token_bytes = 20_000


def _web_identity_refusal(code, message):
    return STSClientError(code, message)


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url_int(text):
    return int.from_bytes(_b64url_decode(text), "big")


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fetch_json(url):
    # AWS fetches the issuer's documents over https; the local stack serves them over http on loopback only.
    parsed = urlparse(url)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and _is_loopback(parsed.hostname or "")):
        raise _web_identity_refusal("InvalidIdentityToken", f"The issuer's documents must be fetched over https: {url}")
    try:
        with urllib.request.urlopen(url, timeout=_jwks_fetch_seconds) as response:
            return json.loads(response.read(1_000_000))
    except Exception as error:  # noqa: BLE001 - any failure to reach the issuer is STS's IDPCommunicationError
        raise _web_identity_refusal("IDPCommunicationError", f"Couldn't retrieve verification key from your identity provider ({error})")


def _host_path(url):
    parsed = urlparse(url)
    return (parsed.netloc + parsed.path).rstrip("/")


def _public_key(jwk):
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if jwk.get("kty") == "RSA":
        return rsa.RSAPublicNumbers(_b64url_int(jwk["e"]), _b64url_int(jwk["n"])).public_key()
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        return ec.EllipticCurvePublicNumbers(_b64url_int(jwk["x"]), _b64url_int(jwk["y"]), ec.SECP256R1()).public_key()
    return None


def _signature_valid(jwk, alg, signing_input, signature):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    key = _public_key(jwk)
    try:
        if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return True
        if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and len(signature) == 64:
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False


def _federated_principal_matches(element, provider_arn):
    if element == "*":
        return True
    return isinstance(element, dict) and provider_arn in _as_list(element.get("Federated", []))


def _check_web_identity_token(response, role_arn, token):
    invalid = lambda message: _web_identity_refusal("InvalidIdentityToken", message)  # noqa: E731
    parts = (token or "").split(".")
    if len(token or "") > _max_token_bytes or len(parts) != 3:
        raise invalid("The web identity token is not a JWT.")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
    except ValueError:
        raise invalid("The web identity token is not a JWT.")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not isinstance(header, dict):
        raise invalid("The web identity token has no issuer.")
    parts_of_arn = role_arn.split(":")
    account = parts_of_arn[4] if len(parts_of_arn) >= 6 and ":role/" in role_arn else ""
    backend = iam_backends[account][get_partition(response.region)] if re.fullmatch(r"\d{12}", account) else None
    role = next((r for r in backend.get_roles() if r.arn == role_arn), None) if backend else None
    providers = backend.open_id_providers if role else {}
    provider = next((p for p in providers.values() if p.url.rstrip("/") == _host_path(issuer)), None)
    if provider is None:
        raise invalid(f"No OpenIDConnect provider found in your account for {issuer}")
    configuration = _fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if configuration.get("issuer") != issuer or not isinstance(configuration.get("jwks_uri"), str):
        raise invalid("The issuer's openid-configuration names another issuer or no jwks_uri.")
    keys = _fetch_json(configuration["jwks_uri"]).get("keys", [])
    key = next((k for k in keys if isinstance(k, dict) and k.get("kid") == header.get("kid")), None)
    signing_input = f"{parts[0]}.{parts[1]}".encode()
    if key is None or not _signature_valid(key, header.get("alg"), signing_input, signature):
        raise invalid("The web identity token's signature could not be verified with the issuer's keys.")
    now = time.time()
    if not isinstance(claims.get("exp"), (int, float)):
        raise invalid("The web identity token has no expiry.")
    if claims["exp"] <= now:
        raise _web_identity_refusal(
            "ExpiredTokenException",
            f"Token expired: current date/time {int(now)} must be before the expiration date/time {claims['exp']}",
        )
    if isinstance(claims.get("nbf"), (int, float)) and claims["nbf"] > now + 60:
        raise invalid("The web identity token is not valid yet (nbf).")
    audiences = [a for a in _as_list(claims.get("aud", [])) if isinstance(a, str)]
    if not any(audience in provider.client_id_list for audience in audiences):
        raise invalid("Incorrect token audience")
    prefix = provider.url.rstrip("/")
    incoming = {f"{prefix}:aud": audiences[0], f"{prefix}:sub": str(claims.get("sub", ""))}
    allowed = _trust_policy_allows(
        role.assume_role_policy_document,
        "sts:AssumeRoleWithWebIdentity",
        provider.arn,
        incoming,
        principal_matches=_federated_principal_matches,
    )
    if not allowed:
        raise _web_identity_refusal("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")


_original_authorize_normal_action = TokenResponse._authenticate_and_authorize_normal_action
_original_assume_role_with_web_identity = TokenResponse.assume_role_with_web_identity


def _authorize_token_action(self, resource="*"):
    # AssumeRoleWithWebIdentity is unsigned in AWS: the token is the caller's only credential.
    if self._get_action() == _web_identity_action:
        return None
    return _original_authorize_normal_action(self, resource)


def _assume_role_with_web_identity(self):
    _check_web_identity_token(self, self._get_param("RoleArn") or "", self._get_param("WebIdentityToken"))
    return _original_assume_role_with_web_identity(self)


access_control.IAMRequestBase._is_assuming_role_operation = _is_assuming_role_operation
access_control.IAMRequestBase._check_role_trust_relationship = _check_role_trust_relationship
access_control.IAMPolicyStatement._check_element_matches = _check_element_matches
s3_responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"
s3_responses.S3Response._authenticate_and_authorize_s3_action = _authorize_s3_action
cloudformation_responses.CloudFormationResponse.create_stack_set = _create_stack_set
cloudformation_responses.CloudFormationResponse.delete_stack_instances = _delete_stack_instances
cloudformation_models.StackSet.create_stack_instances = _stack_set_create_stack_instances
organizations_models.OrganizationsBackend.move_account = _move_account
organizations_models.OrganizationsBackend.remove_account_from_organization = _remove_account_from_organization
organizations_models.FakeAccount.__init__ = _account_init
iam_models.Role.create_from_cloudformation_json = classmethod(_role_from_cloudformation)
cloudformation_parsing.ResourceMap._delete_resource = _delete_resource
access_control.AssumedRoleAccessKey.collect_policies = _collect_role_policies
TokenResponse._authenticate_and_authorize_normal_action = _authorize_token_action
TokenResponse.assume_role_with_web_identity = _assume_role_with_web_identity

# 12. The trust policy of a role updated by a stack update.
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


# 13. One request at a time. moto's views build the whole body before they return, so the lock covers the work.
_one_request_at_a_time = threading.Lock()
_dispatch = DomainDispatcherApplication.__call__


def _serialized_dispatch(self, environ, start_response):
    with _one_request_at_a_time:
        return _dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _serialized_dispatch

if __name__ == "__main__":
    sys.exit(main())
