import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, payloadCodecFromEnv } from '../../security/payload-codec';

const key = { id: 'k1', material: randomBytes(32) };
const secret = { externalId: 'a'.repeat(48), roleArn: 'arn:aws:iam::111111111111:role/x' };

describe('AES-GCM payload codec', () => {
  it('round-trips a payload and leaves no plaintext in what it stores', async () => {
    const codec = new AesGcmPayloadCodec(key);
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain(secret.externalId);
    expect(Buffer.from(encoded!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);
  });

  it('uses a fresh IV each time, so equal values do not look equal at rest', async () => {
    const codec = new AesGcmPayloadCodec(key);
    const payload = defaultPayloadConverter.toPayload(secret);
    const [first, second] = await codec.encode([payload, payload]);
    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
  });

  it('refuses a tampered payload', async () => {
    const codec = new AesGcmPayloadCodec(key);
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 0xff;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow();
  });

  it('reads payloads written under a previous key after rotation, and names a key it does not have', async () => {
    const old = new AesGcmPayloadCodec({ id: 'old', material: randomBytes(32) });
    const [written] = await old.encode([defaultPayloadConverter.toPayload(secret)]);
    const rotated = new AesGcmPayloadCodec(key, [
      { id: 'old', material: (old as unknown as { current: { material: Buffer } }).current.material },
    ]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([written!]))[0]!)).toEqual(secret);
    await expect(new AesGcmPayloadCodec(key).decode([written!])).rejects.toThrow('key "old", which is not configured');
  });

  it('passes through payloads that were never encrypted', async () => {
    const plain = defaultPayloadConverter.toPayload({ hello: 'world' });
    expect(await new AesGcmPayloadCodec(key).decode([plain])).toEqual([plain]);
  });

  it('is configured from the environment, and only when a key is given', () => {
    expect(payloadCodecFromEnv({})).toBeUndefined();
    expect(payloadCodecFromEnv({ PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('hex') })).toBeInstanceOf(
      AesGcmPayloadCodec,
    );
    expect(() => payloadCodecFromEnv({ PAYLOAD_ENCRYPTION_KEY: randomBytes(16).toString('hex') })).toThrow(
      'must be 32 bytes',
    );
  });
});
