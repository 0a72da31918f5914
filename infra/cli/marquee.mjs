#!/usr/bin/env node
// The `marquee` command. Sources are TypeScript; tsx compiles them on load so that
// `npx marquee` works straight after `npm ci`, with no build step to forget.
import { register } from 'tsx/esm/api';

// The local service and CLI run on the machine's Node.js (20 here); the AWS SDK's notice that its
// releases after January 2027 need Node 22 is about upgrades, not this run, so it is not printed.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
