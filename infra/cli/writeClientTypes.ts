import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_FILE, clientTypes } from './clientTypes.ts';

/** `npm run client:types`: regenerates client/paths.d.ts from the API description. */
writeFileSync(CLIENT_TYPES_FILE, await clientTypes());
