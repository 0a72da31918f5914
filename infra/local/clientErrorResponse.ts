/**
 * API Gateway's limit on the request line and headers together (REST APIs: 10,240 bytes); the
 * local server parses no more than this, so oversized requests fail locally as in the cloud.
 */
export const MAX_HEADER_BYTES = 10_240;

const REQUEST_LINE = /^[A-Z]+ /;

/**
 * The raw HTTP/1.1 answer to a request Node's parser refused (its `clientError`), as JSON in the
 * handlers' `{error, message}` shape, instead of the reset or bare 400 Node would send:
 * 414 when the request line alone is past the limit (a URL too long), 431 when the headers are,
 * 400 for anything else that is not HTTP. Undefined when the client is gone (nothing to answer).
 */
export function clientErrorResponse(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  maxHeaderBytes: number = MAX_HEADER_BYTES,
): string | undefined {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return undefined;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    const packet = error.rawPacket ?? Buffer.alloc(0);
    const lineEnd = packet.indexOf('\r\n');
    const uriTooLong = REQUEST_LINE.test(packet.subarray(0, 16).toString('latin1')) && (lineEnd < 0 || lineEnd > maxHeaderBytes);
    return uriTooLong
      ? response(414, 'URI Too Long', 'uri_too_long', `the request line is over ${maxHeaderBytes} bytes: send long lists in a POST body`)
      : response(
          431,
          'Request Header Fields Too Large',
          'header_fields_too_large',
          `the request line and headers are over ${maxHeaderBytes} bytes together`,
        );
  }
  if (error.code === 'HPE_HEADER_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return response(408, 'Request Timeout', 'request_timeout', 'the request headers did not arrive in time');
  }
  return response(400, 'Bad Request', 'bad_request', `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`);
}

function response(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ error: code, message });
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
