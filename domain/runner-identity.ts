import { awsPartitions } from './arn';
import { expectedRunnerIdentity } from './install-names';

export { runnerRoleName } from './install-names';

/**
 * Runner identity attestation, the pattern of Vault's AWS auth method (iam type): at check-in the runner sends a
 * SigV4-signed `sts:GetCallerIdentity` request made with its own credentials, without sending it. The API sends it to
 * STS itself (only to the configured STS endpoint of the install's region) and accepts the runner only if STS answers
 * with a session of the install's runner role in the customer's account. The request is signed over a header naming
 * the install, so a proof made for one install (or another service that checks such proofs) is refused by the next.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */

/** The header the proof must sign, whose value is the install id: binds the proof to this install. */
export const runnerProofServerIdHeader = 'x-orchestrator-server-id';

/** The only body a proof may carry: GetCallerIdentity and nothing else. */
export const runnerProofBody = 'Action=GetCallerIdentity&Version=2011-06-15';

/**
 * How old (or how far ahead) the proof's X-Amz-Date may be. AWS accepts a signature for 15 minutes; a proof is made
 * just before the check-in, so 5 minutes leaves room for clock skew while shortening what a stolen proof is worth.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export const runnerProofMaxSkewMs = 5 * 60_000;

/** Bounds on every field of a proof (a session token is up to a few kilobytes). */
export const runnerProofLimits = {
  method: 8,
  url: 512,
  body: 256,
  headers: 16,
  headerName: 64,
  headerValue: 4096,
} as const;

/** The signed request, as the runner sends it in its check-in body (`identityProof`). */
export interface RunnerIdentityProof {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** Why a check-in's identity proof is refused: each is a catalog entry (domain/error-catalog.ts) and an API problem. */
export type RunnerProofRefusal =
  | 'runner_proof_missing'
  | 'runner_proof_malformed'
  | 'runner_proof_wrong_endpoint'
  | 'runner_proof_wrong_server'
  | 'runner_proof_expired'
  | 'runner_proof_signature_invalid'
  | 'runner_proof_credentials_invalid'
  | 'runner_proof_unverifiable'
  | 'runner_wrong_account'
  | 'runner_wrong_role';

export class RunnerProofRefused extends Error {
  constructor(
    readonly code: RunnerProofRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'RunnerProofRefused';
  }
}

/** The runner role's ARN, which the status shows as runner.expectedIdentity. */
export const runnerRoleArn = expectedRunnerIdentity;

/** STS's regional endpoint in AWS (https://docs.aws.amazon.com/general/latest/gr/sts.html). */
export function awsStsEndpoint(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sts.${region}.${suffix}/`;
}

/** What the API sends to STS once the proof's shape is checked: only the proof's own headers, to our endpoint. */
export interface CheckedProofRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The access key id the proof names, for logs (not a secret). */
  accessKeyId: string;
}

/**
 * The headers a proof may sign, and so the only ones the API forwards to STS (Vault's AWS auth keeps such a list too,
 * since 1.5.1): what the SDKs sign for GetCallerIdentity, and our server id. Anything else is refused as malformed.
 */
const forwardableHeaders = new Set([
  'host',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'x-amz-user-agent',
  'content-type',
  'content-length',
  'user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  runnerProofServerIdHeader,
]);

const sigV4Authorization =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+), ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const amzDate = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function refuse(code: RunnerProofRefusal, message: string): never {
  throw new RunnerProofRefused(code, message);
}

/**
 * Checks everything about a proof that can be checked without STS: it is a signed POST of GetCallerIdentity to the
 * STS endpoint we configured (never a URL the runner chooses), signed over our server-id header carrying this
 * install's id, dated within `runnerProofMaxSkewMs` of `now`. Throws RunnerProofRefused; returns what to send.
 *
 * @example checkProofRequest(proof, { stsEndpoint: 'https://sts.us-east-1.amazonaws.com/', installId: 'acme', now })
 */
export function checkProofRequest(
  proof: RunnerIdentityProof | undefined,
  expected: { stsEndpoint: string; installId: string; now: number },
): CheckedProofRequest {
  if (!proof) refuse('runner_proof_missing', 'The check-in carries no identityProof.');
  const headerNames = Object.keys(proof.headers);
  if (
    proof.method.length > runnerProofLimits.method ||
    proof.url.length > runnerProofLimits.url ||
    proof.body.length > runnerProofLimits.body ||
    headerNames.length > runnerProofLimits.headers ||
    headerNames.some(
      (name) =>
        name.length > runnerProofLimits.headerName ||
        String(proof.headers[name]).length > runnerProofLimits.headerValue,
    )
  ) {
    refuse('runner_proof_malformed', 'A field of the proof is longer than its bound.');
  }
  let url: URL;
  let endpoint: URL;
  try {
    url = new URL(proof.url);
    endpoint = new URL(expected.stsEndpoint);
  } catch {
    refuse('runner_proof_wrong_endpoint', 'The proof URL is not a URL.');
  }
  if (url.origin !== endpoint.origin || url.pathname !== endpoint.pathname || url.search !== '' || url.hash !== '') {
    refuse('runner_proof_wrong_endpoint', `The proof is addressed to ${url.origin}, not to ${endpoint.origin}.`);
  }
  const headers: Record<string, string> = {};
  for (const name of headerNames) headers[name.toLowerCase()] = String(proof.headers[name]);
  if (headers.host !== undefined && headers.host !== endpoint.host) {
    refuse('runner_proof_wrong_endpoint', `The proof's Host header names ${headers.host}, not ${endpoint.host}.`);
  }
  if (proof.method.toUpperCase() !== 'POST') refuse('runner_proof_malformed', 'The proof must be a POST.');
  const params = new URLSearchParams(proof.body);
  const keys = [...params.keys()].sort();
  if (
    keys.join('&') !== 'Action&Version' ||
    params.get('Action') !== 'GetCallerIdentity' ||
    params.get('Version') !== '2011-06-15'
  ) {
    refuse('runner_proof_malformed', 'The proof must ask sts:GetCallerIdentity (2011-06-15) and nothing else.');
  }
  const authorization = sigV4Authorization.exec(headers.authorization ?? '');
  if (!authorization) refuse('runner_proof_malformed', 'The proof has no SigV4 Authorization header.');
  const [, credential = '', signedList = ''] = authorization;
  const [accessKeyId = '', , , service, terminator] = credential.split('/');
  if (service !== 'sts' || terminator !== 'aws4_request') {
    refuse('runner_proof_malformed', 'The proof is not signed for STS.');
  }
  const signed = new Set(signedList.split(';'));
  for (const required of ['host', 'x-amz-date']) {
    if (!signed.has(required)) refuse('runner_proof_malformed', `The proof's signature does not cover ${required}.`);
  }
  if (!signed.has(runnerProofServerIdHeader)) {
    refuse('runner_proof_wrong_server', `The proof's signature does not cover ${runnerProofServerIdHeader}.`);
  }
  if (headers[runnerProofServerIdHeader] !== expected.installId) {
    refuse('runner_proof_wrong_server', `The proof was made for another install than ${expected.installId}.`);
  }
  for (const name of signed) {
    if (!forwardableHeaders.has(name)) refuse('runner_proof_malformed', `The proof may not sign the header ${name}.`);
    if (name !== 'host' && headers[name] === undefined) {
      refuse('runner_proof_malformed', `The proof signs ${name} but does not carry it.`);
    }
  }
  const date = amzDate.exec(headers['x-amz-date'] ?? '');
  if (!date) refuse('runner_proof_malformed', 'The proof has no X-Amz-Date (YYYYMMDDTHHMMSSZ).');
  const [, year, month, day, hour, minute, second] = date.map(Number);
  const signedAt = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  if (Math.abs(expected.now - signedAt) > runnerProofMaxSkewMs) {
    refuse(
      'runner_proof_expired',
      `The proof was signed at ${new Date(signedAt).toISOString()}, more than ${runnerProofMaxSkewMs / 60_000} minutes from now.`,
    );
  }
  // Only the signed headers (and the signature itself) go on: nothing the proof adds unsigned reaches STS.
  const forwarded: Record<string, string> = { authorization: headers.authorization! };
  for (const name of signed) if (name !== 'host' && name !== 'content-length') forwarded[name] = headers[name]!;
  return { url: endpoint.href, headers: forwarded, body: proof.body, accessKeyId };
}

/** STS's answer to the proof, reduced to what decides: the caller's ARN, or AWS's error code and message. */
export type StsAnswer = { arn: string } | { errorCode: string; message: string; status: number };

function xmlText(xml: string, tag: string): string | undefined {
  const start = xml.indexOf(`<${tag}>`);
  if (start < 0) return undefined;
  const end = xml.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : xml.slice(start + tag.length + 2, end).trim();
}

/** Reads GetCallerIdentity's XML answer (or STS's error document); no regex runs over STS's text. */
export function readStsAnswer(status: number, xml: string): StsAnswer {
  if (status === 200) {
    const arn = xmlText(xml, 'Arn');
    if (arn) return { arn };
  }
  return { errorCode: xmlText(xml, 'Code') ?? `HTTP ${status}`, message: xmlText(xml, 'Message') ?? '', status };
}

/** Turns STS's refusal of the proof into ours. */
export function refusalOfStsError(answer: { errorCode: string; message: string; status: number }): RunnerProofRefused {
  const said = `STS answered ${answer.errorCode}: ${answer.message}`.slice(0, 500);
  if (answer.errorCode === 'SignatureDoesNotMatch' && /signature expired/i.test(answer.message.slice(0, 200))) {
    return new RunnerProofRefused('runner_proof_expired', said);
  }
  if (answer.errorCode === 'SignatureDoesNotMatch' || answer.errorCode === 'IncompleteSignature') {
    return new RunnerProofRefused('runner_proof_signature_invalid', said);
  }
  if (['InvalidClientTokenId', 'ExpiredToken', 'MissingAuthenticationToken'].includes(answer.errorCode)) {
    return new RunnerProofRefused('runner_proof_credentials_invalid', said);
  }
  return new RunnerProofRefused('runner_proof_unverifiable', said);
}

const assumedRoleArn = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/;

/**
 * Accepts the ARN STS answered only if it is a session of the install's runner role in the install's account; returns
 * the session's ARN, which the install records.
 */
export function checkRunnerArn(arn: string, expectedRoleArn: string): string {
  const expectedMatch = /^arn:([a-z-]+):iam::(\d{12}):role\/(.+)$/.exec(expectedRoleArn);
  const [, partition, account, roleName] = expectedMatch ?? [];
  const match = assumedRoleArn.exec(arn);
  if (!match) {
    const other = /^arn:[a-z-]+:(?:sts|iam)::(\d{12}):/.exec(arn);
    if (other && other[1] !== account) {
      refuse('runner_wrong_account', `The runner is ${arn}, in account ${other[1]}, not ${account}.`);
    }
    refuse('runner_wrong_role', `The runner is ${arn}, not a session of ${expectedRoleArn}.`);
  }
  const [, answeredPartition, answeredAccount, answeredRole] = match;
  if (!(awsPartitions as readonly string[]).includes(answeredPartition!) || answeredPartition !== partition) {
    refuse('runner_wrong_account', `The runner is in partition ${answeredPartition}, not ${partition}.`);
  }
  if (answeredAccount !== account) {
    refuse('runner_wrong_account', `The runner is in account ${answeredAccount}, not ${account}.`);
  }
  if (answeredRole !== roleName) {
    refuse('runner_wrong_role', `The runner is a session of role ${answeredRole}, not ${roleName}.`);
  }
  return arn;
}
