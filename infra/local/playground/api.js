/** The Marquee API from the page: the key in `x-api-key`, JSON in and out, errors as Error(message). */
export function createApi(key) {
  const call = async (method, path, body) => {
    const response = await fetch(path, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${json.message ?? json.error ?? ''}`);
    return json;
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}
