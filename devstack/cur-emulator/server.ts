import { startJsonRpcServer, type JsonRpcServer, type ListenOptions } from '../aws-json/json-rpc-server';
import { curOperations } from './operations';
import { ReportStore } from './report-store';
import { curError } from './service-error';

// The CUR model's targetPrefix (cur-2017-01-06): x-amz-target is AWSOrigamiServiceGatewayService.<operation>.
const targetPrefix = 'AWSOrigamiServiceGatewayService';

export interface CurEmulator extends JsonRpcServer {
  reportNames(): string[];
}

export interface CurEmulatorOptions extends ListenOptions {
  /**
   * AWS allows five definitions per account; a stack whose accounts and tests all share the emulator's one namespace
   * needs more.
   */
  reportLimit?: number;
}

export async function startCurEmulator(options: CurEmulatorOptions = {}): Promise<CurEmulator> {
  const store = new ReportStore(options.reportLimit);
  const server = await startJsonRpcServer({
    name: 'cur emulator',
    host: options.host,
    port: options.port,
    targetPrefix,
    operations: curOperations(store),
    internalError: (message) => curError('InternalErrorException', message),
  });
  return { ...server, reportNames: () => store.names() };
}
