import { payloadCodecFromEnv } from '../security/payload-codec';
import { buildCodecServer } from './codec-server';

async function main(): Promise<void> {
  const codec = payloadCodecFromEnv();
  if (!codec)
    throw new Error('PAYLOAD_ENCRYPTION_KEY is required: the codec server decrypts with the same key as the workers.');
  const accessToken = process.env.CODEC_ACCESS_TOKEN || undefined;
  // Without a token anyone who reaches the endpoint can have any payload decrypted.
  if (!accessToken && process.env.CODEC_AUTH !== 'off' && process.env.INSTALL_ORCHESTRATOR_ENV !== 'development') {
    throw new Error(
      'CODEC_ACCESS_TOKEN is required outside local development: without it the endpoint decrypts payloads for anyone ' +
        'who reaches it. Set it to the access token the Temporal UI sends, or CODEC_AUTH=off to serve without one on purpose.',
    );
  }
  const app = await buildCodecServer({
    codec,
    allowedOrigin: process.env.CODEC_ALLOWED_ORIGIN ?? 'http://127.0.0.1:8233',
    accessToken,
  });
  const address = await app.listen({
    host: process.env.CODEC_HOST ?? '127.0.0.1',
    port: Number(process.env.CODEC_PORT ?? 8888),
  });
  console.log(`codec server listening on ${address}; point the Temporal UI's codec endpoint at it`);
}

main().catch((error: unknown) => {
  console.error(`codec-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
