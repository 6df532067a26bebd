import { parseArgs } from 'node:util';
import { startCurEmulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4580' },
      'report-limit': { type: 'string' },
    },
  });
  const reportLimit = values['report-limit'] ? Number(values['report-limit']) : undefined;
  const emulator = await startCurEmulator({ host: values.host, port: Number(values.port), reportLimit });
  console.log(`cur emulator listening on ${emulator.url}`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
