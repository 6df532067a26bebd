import { parseArgs } from 'node:util';
import { parsePort, runEmulatorProcess } from '../aws-json/emulator-process';
import { startCurEmulator } from './server';

runEmulatorProcess('cur emulator', () => {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4580' },
      'report-limit': { type: 'string' },
    },
  });
  const reportLimit = values['report-limit'] === undefined ? undefined : Number(values['report-limit']);
  return startCurEmulator({ host: values.host, port: parsePort(values.port), reportLimit });
});
