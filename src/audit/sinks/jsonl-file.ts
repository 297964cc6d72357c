import { createWriteStream, type WriteStream } from 'node:fs';

import type { Alert, AlertSink } from '../../core/alert.js';
import { alertLine } from './alert-json.js';

/** Appends alerts as JSON lines to a file (created if missing), flushing before close resolves. */
export class JsonLinesFileSink implements AlertSink {
  readonly name: string;
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.name = `file ${path}`;
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (err) => {
      this.failure = err;
    });
  }

  send(alerts: readonly Alert[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (alerts.length === 0) return Promise.resolve();
    let text = '';
    for (const alert of alerts) text += alertLine(alert);
    return new Promise((resolve, reject) => {
      this.stream.write(text, (err) => {
        if (err === null || err === undefined) resolve();
        else reject(err);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.end(() => {
        if (this.failure === undefined) resolve();
        else reject(this.failure);
      });
    });
  }
}
