import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractFiles, generateClientTypes, generateOpenApiDocument, generateResponseSchemas } from './api-contract';

/*
 * `npm run generate:api`: the response schemas from the TypeScript types, then (in a fresh process, which loads the
 * new schemas) the OpenAPI document from the routes, then the typed client's types from the document.
 * test/unit/api-contract.test.ts fails when any committed file differs from what this writes.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--document')) {
    writeFileSync(contractFiles.openApiDocument, await generateOpenApiDocument());
    writeFileSync(contractFiles.clientTypes, generateClientTypes());
    console.log(`wrote ${contractFiles.openApiDocument}\nwrote ${contractFiles.clientTypes}`);
    return;
  }
  writeFileSync(contractFiles.responseSchemas, generateResponseSchemas());
  console.log(`wrote ${contractFiles.responseSchemas}`);
  execFileSync(join(__dirname, '..', 'node_modules', '.bin', 'tsx'), [__filename, '--document'], { stdio: 'inherit' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
