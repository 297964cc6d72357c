import { request, type RequestOptions } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The parsed body, when it was JSON. */
  readonly json: unknown;
  /** The certificate the server presented. */
  readonly peer: PeerCertificate;
}

export interface HttpsCall {
  readonly url: string;
  readonly method?: string;
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string | number>>;
  /** The CA the server's certificate must chain to (verification is always on, as the API server's is). */
  readonly ca: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Fresh connection per call, so a rotated certificate is seen. */
  readonly agent?: false;
}

/** One HTTPS request as the API server makes it: POST JSON, verified TLS, no keep-alive reuse between tests. */
export function httpsCall(call: HttpsCall): Promise<HttpsAnswer> {
  const url = new URL(call.url);
  const options: RequestOptions = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    path: `${url.pathname}${url.search}`,
    method: call.method ?? 'POST',
    ca: call.ca,
    agent: false,
    headers: {
      ...(call.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(call.body) }),
      ...call.headers,
    },
    ...(call.cert === undefined ? {} : { cert: call.cert }),
    ...(call.key === undefined ? {} : { key: call.key }),
  };
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      const socket: unknown = res.socket;
      const peer = (socket as TLSSocket).getPeerCertificate();
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, peer });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (call.body !== undefined) req.write(call.body);
    req.end();
  });
}
