/**
 * The Lambda behind the role template's custom resource (Python, inline, standard library only). On Create and
 * Update it posts the role ARN and stack id to the install's one-time callback URL; on Delete it does nothing. It
 * always answers CloudFormation SUCCESS, with the callback's outcome as the reason: a callback that fails must not
 * roll back or hang the customer's stack, since pasting the ARN still works. It never logs the token.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
export const onboardingCallbackFunctionSource = `import json
import urllib.request


def respond(event, reason):
    body = json.dumps({
        "Status": "SUCCESS",
        "Reason": reason[:250],
        "PhysicalResourceId": event.get("PhysicalResourceId") or event["StackId"] + "/role-callback",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": {"Callback": reason[:250]},
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    urllib.request.urlopen(request, timeout=15).close()


def handler(event, context):
    reason = "nothing to report on " + event.get("RequestType", "?")
    try:
        if event.get("RequestType") in ("Create", "Update"):
            properties = event["ResourceProperties"]
            body = json.dumps({"roleArn": properties["RoleArn"], "stackId": event["StackId"]}).encode()
            request = urllib.request.Request(properties["CallbackUrl"], data=body, method="POST", headers={
                "Content-Type": "application/json",
                "Authorization": "Bearer " + properties["CallbackToken"],
            })
            with urllib.request.urlopen(request, timeout=15) as answer:
                reason = "role ARN delivered (HTTP %d)" % answer.status
    except urllib.error.HTTPError as error:
        reason = "role ARN not delivered (HTTP %d): paste it on the onboarding page" % error.code
    except Exception as error:
        reason = "role ARN not delivered (%s): paste it on the onboarding page" % type(error).__name__
    print(reason)
    respond(event, reason)
`;
