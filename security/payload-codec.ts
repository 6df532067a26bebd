import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const encryptedEncoding = 'binary/encrypted';
const keyIdMetadataKey = 'encryption-key-id';
const ivBytes = 12;
const tagBytes = 16;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export interface EncryptionKey {
  /** Names the key in each payload's metadata, so keys can be rotated: old payloads name their old key. */
  id: string;
  /** 32 bytes: AES-256. */
  material: Uint8Array;
}

/**
 * Encrypts every payload (workflow inputs, results, activity arguments, status) with AES-256-GCM before it leaves
 * the worker or client, so Temporal's storage holds ciphertext only. Decrypts with whichever configured key the
 * payload names. The Temporal UI shows the plain values through the codec endpoint (client/codec-server.ts).
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: Map<string, Uint8Array>;

  constructor(
    private readonly current: EncryptionKey,
    previous: EncryptionKey[] = [],
  ) {
    for (const key of [current, ...previous]) {
      if (key.material.length !== 32)
        throw new Error(`Encryption key ${key.id} must be 32 bytes, not ${key.material.length}.`);
    }
    this.keys = new Map([current, ...previous].map((key) => [key.id, key.material]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', this.current.material, iv);
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8.encode(encryptedEncoding),
          [keyIdMetadataKey]: utf8.encode(this.current.id),
        },
        data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || fromUtf8.decode(encoding) !== encryptedEncoding) return payload;
      const keyId = fromUtf8.decode(payload.metadata?.[keyIdMetadataKey] ?? new Uint8Array());
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`Payload was encrypted with key "${keyId}", which is not configured.`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, ivBytes));
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      const plaintext = Buffer.concat([
        decipher.update(data.subarray(ivBytes, data.length - tagBytes)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plaintext);
    });
  }
}

/** PAYLOAD_ENCRYPTION_KEY (hex or base64, 32 bytes) and PAYLOAD_ENCRYPTION_KEY_ID; previous keys for rotation. */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const raw = env.PAYLOAD_ENCRYPTION_KEY;
  if (!raw) return undefined;
  const decode = (value: string) =>
    /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  const previous = (env.PAYLOAD_ENCRYPTION_PREVIOUS_KEYS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [id, material] = entry.split(':');
      return { id: id ?? '', material: decode(material ?? '') };
    });
  return new AesGcmPayloadCodec({ id: env.PAYLOAD_ENCRYPTION_KEY_ID ?? 'default', material: decode(raw) }, previous);
}
