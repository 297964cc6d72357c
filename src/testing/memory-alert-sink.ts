import type { Alert, AlertSink } from '../core/alert.js';

/** An AlertSink that keeps what it receives, for tests. Can be told to fail. */
export class MemoryAlertSink implements AlertSink {
  readonly alerts: Alert[] = [];
  failing = false;
  constructor(readonly name = 'memory') {}

  send(alerts: readonly Alert[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error(`${this.name} is down`));
    this.alerts.push(...alerts);
    return Promise.resolve();
  }
}
