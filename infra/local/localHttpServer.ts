import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { clientErrorResponse, MAX_HEADER_BYTES } from './clientErrorResponse.ts';
import type { LocalApi, LocalResponse } from './localApi.ts';
import type { LocalPages } from './playgroundPages.ts';

/** API Gateway's payload limit. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface LocalHttpServerOptions {
  readonly api: LocalApi;
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1: the local service is for this machine. */
  readonly host?: string;
  readonly maxRequestBytes?: number;
  /** Pages served beside the API (the playground), asked first; the API answers what they do not. */
  readonly pages?: LocalPages;
}

/**
 * The local API over HTTP/1.1 with keep-alive, with API Gateway's limits (10 MB bodies, 10 KB of
 * request line and headers) answered in JSON. `close()` stops it without dropping a request:
 * no new connections, idle keep-alive connections closed at once, requests in flight answered
 * (with `Connection: close`), then the remaining connections closed.
 */
export class LocalHttpServer {
  readonly url: string;
  readonly port: number;
  private readonly server: Server;
  private inFlight = 0;
  private closing = false;
  private drained?: () => void;

  private constructor(server: Server, host: string) {
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://${host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${this.port}`;
  }

  static async listen(options: LocalHttpServerOptions): Promise<LocalHttpServer> {
    const host = options.host ?? '127.0.0.1';
    const limit = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    let instance: LocalHttpServer | undefined;
    const server = createServer(
      { keepAliveTimeout: 5_000, maxHeaderSize: MAX_HEADER_BYTES },
      (req, res) => void instance?.serve(req, res, options.api, limit, options.pages),
    );
    // A request the parser refuses (a 100 KB URL, 20 KB of headers) gets a JSON 414/431, not a reset.
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      const answer = socket.writable ? clientErrorResponse(error) : undefined;
      if (answer === undefined) socket.destroy();
      else socket.end(answer);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    instance = new LocalHttpServer(server, host);
    return instance;
  }

  /** Requests being answered now. */
  get activeRequests(): number {
    return this.inFlight;
  }

  /** Stops accepting, answers what is in flight (at most `graceMs`), closes every connection. */
  async close(graceMs = 15_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, api: LocalApi, limit: number, pages?: LocalPages): Promise<void> {
    this.inFlight++;
    try {
      const body = await readBody(req, limit);
      const page = body === undefined ? undefined : await pages?.(req.method ?? 'GET', req.url ?? '/');
      const response = page
        ? page
        : body === undefined
          ? api.gatewayError('REQUEST_TOO_LARGE')
          : await api.handle({
              method: req.method ?? 'GET',
              url: req.url ?? '/',
              headers: headerPairs(req.rawHeaders),
              body,
              sourceIp: req.socket.remoteAddress,
              protocol: `HTTP/${req.httpVersion}`,
            });
      write(res, response, this.closing || body === undefined);
    } catch (error) {
      // A broken connection (client gone): nothing to answer.
      if (!res.headersSent && !res.destroyed) {
        res
          .writeHead(500, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ message: `local server error: ${(error as Error).message}` }));
      }
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }
}

function write(res: ServerResponse, response: LocalResponse, close: boolean): void {
  const headers: Record<string, string | readonly string[]> = { ...response.headers, 'Content-Length': String(response.body.length) };
  if (close) headers.Connection = 'close';
  res.writeHead(response.statusCode, headers as Record<string, string | string[]>);
  res.end(response.body);
}

/** The body, or undefined when it exceeds `limit` (the rest is not read; the connection closes after the answer). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

function headerPairs(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}
