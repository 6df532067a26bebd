import type { JsonRpcServer } from '../../devstack/aws-json/json-rpc-server';
import { startCurEmulator } from '../../devstack/cur-emulator/server';
import { startDataExportsEmulator } from '../../devstack/data-exports-emulator/server';
import { renderCostReportDefinition } from '../../domain/cost-report';
import { renderDataExportDefinition } from '../../domain/data-export';
import { rawCall, sigV4Authorization } from '../support/aws-json-client';

interface StartedEmulator extends JsonRpcServer {
  /** What the emulator holds: report names, export names. */
  storedNames(): string[];
}

/** One emulated service, as the front door both emulators share sees it. */
interface EmulatedService {
  service: string;
  start(): Promise<StartedEmulator>;
  signingName: string;
  targetPrefix: string;
  /** An operation that changes nothing, and its answer while the emulator holds nothing. */
  harmless: { operation: string; emptyResult: object };
  /** An operation that stores what it is sent, and a request it accepts: the one an install sends. */
  create: { operation: string; request: object };
  /** Operations it does not serve: one made up, one that another service (or a newer model) has. */
  unknownOperations: string[];
  otherServiceTargetPrefix: string;
}

const services: EmulatedService[] = [
  {
    service: 'CUR',
    start: async () => {
      const emulator = await startCurEmulator({ port: 0 });
      return { ...emulator, storedNames: () => emulator.reportNames() };
    },
    signingName: 'cur',
    targetPrefix: 'AWSOrigamiServiceGatewayService',
    harmless: { operation: 'DescribeReportDefinitions', emptyResult: { ReportDefinitions: [] } },
    create: {
      operation: 'PutReportDefinition',
      request: {
        ReportDefinition: renderCostReportDefinition({
          reportName: 'daily-report',
          bucket: 'cur-bucket',
          prefix: 'cur/daily',
          bucketRegion: 'us-east-1',
          format: 'textORcsv',
          versioning: 'CREATE_NEW_REPORT',
        }),
      },
    },
    unknownOperations: ['StealReports', 'ListTagsForResource'],
    otherServiceTargetPrefix: 'AmazonS3',
  },
  {
    service: 'Data Exports',
    start: async () => {
      const emulator = await startDataExportsEmulator({ port: 0, accountId: '123456789012' });
      return { ...emulator, storedNames: () => emulator.exportNames() };
    },
    signingName: 'bcm-data-exports',
    targetPrefix: 'AWSBillingAndCostManagementDataExports',
    harmless: { operation: 'ListExports', emptyResult: { Exports: [] } },
    create: {
      operation: 'CreateExport',
      request: {
        Export: renderDataExportDefinition({
          exportName: 'daily-cur2',
          bucket: 'cur-bucket',
          prefix: 'cur2',
          bucketRegion: 'eu-west-1',
        }),
      },
    },
    unknownOperations: ['StealExports', 'DescribeReportDefinitions'],
    otherServiceTargetPrefix: 'AWSOrigamiServiceGatewayService',
  },
];

describe.each(services)(
  'the awsJson1_1 wire protocol of the $service emulator',
  ({ start, signingName, targetPrefix, harmless, create, unknownOperations, otherServiceTargetPrefix }) => {
    let emulator: StartedEmulator;
    const signed = sigV4Authorization(signingName);
    const call = (operation: string, body: string, headers: Record<string, string> = {}) =>
      rawCall(emulator.url, `${targetPrefix}.${operation}`, body, headers);

    beforeAll(async () => {
      emulator = await start();
    });

    afterAll(async () => {
      await emulator.close();
    });

    it('answers a request without a SigV4 Authorization header with 403 MissingAuthenticationTokenException and does nothing', async () => {
      const response = await call(create.operation, JSON.stringify(create.request));

      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(await response.json()).toEqual({
        __type: 'MissingAuthenticationTokenException',
        Message: 'Missing Authentication Token',
      });
      expect(emulator.storedNames()).toEqual([]);
    });

    it('answers an Authorization header that is not SigV4 with 403 IncompleteSignatureException', async () => {
      const response = await call(harmless.operation, '{}', { authorization: 'Bearer not-aws' });

      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ __type: 'IncompleteSignatureException' });
    });

    it('accepts a signed request sent with fetch, as the SDK frames it', async () => {
      const response = await call(harmless.operation, '{}', signed);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await response.json()).toEqual(harmless.emptyResult);
    });

    it.each(unknownOperations)(
      'answers the unknown operation %s with 400 UnknownOperationException',
      async (operation) => {
        const response = await call(operation, '{}', signed);

        expect(response.status).toBe(400);
        expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
        expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
      },
    );

    it("answers one of its operations under another service's target prefix with 400 UnknownOperationException", async () => {
      const response = await call(harmless.operation, '{}', {
        ...signed,
        'x-amz-target': `${otherServiceTargetPrefix}.${harmless.operation}`,
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
    });

    it.each([
      ['malformed JSON', JSON.stringify(create.request).slice(0, -1)],
      ['a JSON array', '[]'],
    ])('answers %s with 400 SerializationException and does nothing', async (_case, body) => {
      const response = await call(create.operation, body, signed);

      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('SerializationException');
      expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
      expect(emulator.storedNames()).toEqual([]);
    });
  },
);
