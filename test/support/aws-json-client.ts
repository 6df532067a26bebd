/** What tests need to call an emulated awsJson1_1 service: with the real SDK client, or with fetch as the SDK frames it. */

/**
 * An SDK client's config for an emulator: any keys sign (the emulators check the SigV4 shape, not the signature), and
 * one attempt, so a refusal reaches the test as it was answered.
 *
 * @example
 * const cur = new CostAndUsageReportServiceClient(emulatorClientConfig(emulator.url));
 */
export function emulatorClientConfig(endpoint: string, accessKeyId = 'AKIDEXAMPLE') {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId, secretAccessKey: 'secret' },
    maxAttempts: 1,
  };
}

/** An Authorization header of SigV4's shape for `signingName` (cur, bcm-data-exports), as the SDK would sign it. */
export function sigV4Authorization(signingName: string): { authorization: string } {
  return {
    authorization:
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/${signingName}/aws4_request, ` +
      'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef',
  };
}

/**
 * POSTs `body` to `target` (`<targetPrefix>.<operation>`) as the SDK frames an awsJson1_1 call, unsigned unless
 * `headers` sign it; `headers` may also replace the framing's own.
 */
export function rawCall(
  endpoint: string,
  target: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...headers },
    body,
  });
}

export async function rejectionOf(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
