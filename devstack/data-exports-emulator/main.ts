import { parseArgs } from 'node:util';
import { parsePort, runEmulatorProcess } from '../aws-json/emulator-process';
import { startDataExportsEmulator } from './server';

runEmulatorProcess('data exports emulator', () => {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4581' },
      'account-id': { type: 'string', default: '000000000000' },
      'export-limit': { type: 'string' },
    },
  });
  const exportLimit = values['export-limit'] === undefined ? undefined : Number(values['export-limit']);
  return startDataExportsEmulator({
    host: values.host,
    port: parsePort(values.port),
    accountId: values['account-id'],
    exportLimit,
  });
});
