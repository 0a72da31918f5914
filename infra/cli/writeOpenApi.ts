import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../../functions/openapi/openApiDocument.ts';

/**
 * `npm run openapi [-- <file>]`: the API description (functions/openapi/) as JSON, to the file
 * given or to stdout — the same document GET /v1/openapi.json serves.
 */
const [file] = process.argv.slice(2);
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (file === undefined || file === '-') process.stdout.write(text);
else writeFileSync(file, text);
