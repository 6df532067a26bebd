import { readFileSync } from 'node:fs';
import {
  contractFiles,
  generateClientTypes,
  generateOpenApiDocument,
  generateResponseSchemas,
} from '../../scripts/api-contract';
import { contractApi } from '../../scripts/contract-api';

const committed = (path: string) => readFileSync(path, 'utf8');
const regenerate = 'out of date: run `npm run generate:api` and commit the result';

describe('the committed API contract matches the code it is generated from', () => {
  it('has the response schemas of the types in client/api/responses.ts', () => {
    const fresh = generateResponseSchemas();
    if (fresh !== committed(contractFiles.responseSchemas)) throw new Error(`response-schemas.json is ${regenerate}`);
  }, 60_000);

  it("has the OpenAPI document of the routes' schemas", async () => {
    const fresh = await generateOpenApiDocument();
    if (fresh !== committed(contractFiles.openApiDocument)) throw new Error(`openapi.json is ${regenerate}`);
  });

  it('has the typed client of the document', () => {
    const fresh = generateClientTypes();
    if (fresh !== committed(contractFiles.clientTypes)) throw new Error(`openapi-types.ts is ${regenerate}`);
  }, 60_000);

  it('serves the committed document at /openapi.json', async () => {
    const app = await contractApi();
    try {
      const response = await fetch(`${await app.listen({ host: '127.0.0.1', port: 0 })}/openapi.json`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(JSON.parse(committed(contractFiles.openApiDocument)));
    } finally {
      await app.close();
    }
  });
});
