import * as http from 'node:http';
import type { IncomingMessage } from 'node:http';
import * as https from 'node:https';

import { KubeConfig } from '@kubernetes/client-node';

import { describeError, VigilError } from '../core/errors.js';

/** How to reach a cluster: a kubeconfig (current context or a named one) or the pod's service account. */
export interface KubeConnectOptions {
  /** Path of a kubeconfig file; default: `$KUBECONFIG`, then `~/.kube/config` (client-node's rules). */
  readonly kubeconfig?: string;
  /** Context to use instead of the current one. */
  readonly context?: string;
  /** Use the in-cluster service account (token, CA and `KUBERNETES_SERVICE_HOST`). */
  readonly inCluster?: boolean;
}

/**
 * Load a kubeconfig with `@kubernetes/client-node`, so that every kind of credential it supports
 * (client certificates, tokens, token files, exec plugins, OIDC, proxies) works as in kubectl.
 */
export function loadKubeConfig(options: KubeConnectOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (options.inCluster === true) kc.loadFromCluster();
    else if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (err: unknown) {
    throw new VigilError(`cannot load the kubeconfig: ${describeError(err)}`, {
      hint: 'Point --kubeconfig or $KUBECONFIG at a valid kubeconfig, or run inside the cluster with --in-cluster.',
      cause: err,
    });
  }
  if (options.context !== undefined) {
    if (kc.getContextObject(options.context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw new VigilError(`the kubeconfig has no context "${options.context}"`, {
        hint: known.length === 0 ? 'The kubeconfig defines no contexts.' : `Known contexts: ${known.join(', ')}.`,
      });
    }
    kc.setCurrentContext(options.context);
  }
  if (kc.getCurrentCluster() === null) {
    throw new VigilError('the kubeconfig has no current cluster', {
      hint: 'Choose one with --context, or run `kubectl config use-context NAME`.',
    });
  }
  return kc;
}

/** A JSON response from the API server. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Thrown when the API server cannot be reached at all (DNS, refused, TLS). */
export class ApiUnreachableError extends VigilError {
  override readonly name = 'ApiUnreachableError';
}

/** A list page is bounded by `limit`, but a broken or hostile server must not exhaust memory. */
const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

/**
 * A minimal read-only HTTP client for the Kubernetes API. Authentication and TLS come from
 * client-node's `KubeConfig.applyToHTTPSOptions` (exactly what its own clients use); requests are
 * made here so that Vigil can ask for PartialObjectMetadata, read raw JSON (timestamps stay strings,
 * unknown fields are kept) and stream watches line by line.
 */
export class KubeApi {
  constructor(readonly config: KubeConfig) {}

  /** The API server URL of the current context. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /** The context name, or `in-cluster`. */
  get contextName(): string {
    return this.config.getCurrentContext();
  }

  /** Open a GET request and return the response stream (for watches); the caller reads and closes it. */
  async open(path: string, options: { accept?: string; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    const requestOptions: https.RequestOptions = {};
    await this.config.applyToHTTPSOptions(requestOptions);
    const url = new URL(this.server.replace(/\/$/, '') + path);
    const given = requestOptions.headers;
    // client-node sets headers as an object; the array form (raw header pairs) is never produced by it.
    const headers = {
      ...(given === undefined || Array.isArray(given) ? {} : (given as http.OutgoingHttpHeaders)),
      Accept: options.accept ?? 'application/json',
    };
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = transport.request(url, {
        ...requestOptions,
        method: 'GET',
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      req.on('response', resolve);
      req.on('error', (err: Error) => {
        reject(
          new ApiUnreachableError(`cannot reach the API server ${url.origin}: ${describeError(err)}`, {
            hint: 'Check the kubeconfig context, the network path to the cluster and its certificate authority.',
            cause: err,
          }),
        );
      });
      req.end();
    });
  }

  /** GET a path and parse its JSON body (a Status object for errors). */
  async get(path: string, options: { accept?: string; signal?: AbortSignal } = {}): Promise<ApiResponse> {
    const res = await this.open(path, options);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.destroy();
        throw new VigilError(`the API server sent more than ${MAX_RESPONSE_BYTES / 1048576} MiB for ${path}`);
      }
      chunks.push(buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML error page): keep the text for the message.
    }
    return { status: res.statusCode ?? 0, body };
  }
}

/** The message of a Kubernetes Status object, or a short description of any other body. */
export function statusMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') return body.message;
  if (typeof body === 'string') return body.slice(0, 200);
  return 'no message';
}
