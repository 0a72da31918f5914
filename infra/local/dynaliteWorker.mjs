// Entry of the thread that runs the local DynamoDB server (infra/local/dynaliteThread.ts). Worker
// threads do not inherit the parent's TypeScript loader, so this plain-JS file registers tsx in
// the thread and then loads the TypeScript server.
import { register } from 'tsx/esm/api';

register();
await import('./dynaliteServer.ts');
