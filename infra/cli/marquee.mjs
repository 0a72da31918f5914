#!/usr/bin/env node
// The `marquee` command. Sources are TypeScript; tsx compiles them on load so that
// `npx marquee` works straight after `npm ci`, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
