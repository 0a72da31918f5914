import { awsClients } from '../commons/awsClients.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { loaderSettings, ModelLoader, sharedModelLoader } from '../commons/modelLoader.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import { queryParser } from '../commons/servingRequest.ts';
import { MODEL_FILE_SET_FILES, readModelFileSet, type ModelFileSet } from './modelFileSet.ts';
import { presignModelFiles } from './presignModelFiles.ts';

/** Long enough to download a large model on a slow link, short enough that a leaked URL soon dies. */
const URL_LIFETIME_SECONDS = 300;

const config = loadConfig();
const { s3 } = awsClients(config);
const loader = sharedModelLoader(
  'modelFiles',
  () =>
    new ModelLoader<ModelFileSet>({ name: 'modelFiles', ...loaderSettings(config), files: MODEL_FILE_SET_FILES, build: readModelFileSet }),
);
const parseNoQuery = queryParser({});

/**
 * GET /v1/model/files (keyed; deployed when `modelDownloads` is on) — the served version and
 * short-lived download URLs, sizes and sha256 of model.onnx, manifest.json and items.json, for
 * inference on the device.
 */
export const handler = servingHandler<void, ModelFileSet>({
  functionName: 'ModelFiles',
  loader,
  routes: { 'GET /v1/model/files': { parse: (event) => void parseNoQuery(event) } },
  handle: async (_input, set) =>
    jsonResponse(200, await presignModelFiles(set, { s3, bucket: config.bucketName, expiresInSeconds: URL_LIFETIME_SECONDS }), {
      'Cache-Control': 'no-store',
    }),
});
