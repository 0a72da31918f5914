// `node infra/cli/run-ts.mjs infra/local/synthTemplatesMain.ts <out.json> <options JSON>`: the
// child process of loadServiceTemplates (serviceTemplates.ts), which synthesizes the CDK app and
// writes every stack's template to <out.json>.
import { writeFile } from 'node:fs/promises';
import { synthTemplates, type SynthTemplatesOptions } from './synthTemplates.ts';

const [out, options] = process.argv.slice(2);
if (!out || !options) throw new Error('usage: synthTemplatesMain.ts <out.json> <options JSON>');
await writeFile(out, JSON.stringify(synthTemplates(JSON.parse(options) as SynthTemplatesOptions)));
