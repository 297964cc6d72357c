import type { Alert, AlertSink } from '../../core/alert.js';
import { alertLine, alertText } from './alert-json.js';

/** Writes alerts to a stream: readable lines for people (`text`) or JSON lines (`json`). */
export class StreamSink implements AlertSink {
  readonly name: string;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly format: 'text' | 'json',
    private readonly decorate?: (alert: Alert, text: string) => string,
  ) {
    this.name = `stdout (${format})`;
  }

  send(alerts: readonly Alert[]): Promise<void> {
    let text = '';
    for (const alert of alerts) text += this.format === 'json' ? alertLine(alert) : alertText(alert, this.decorate);
    if (text !== '') this.out.write(text);
    return Promise.resolve();
  }
}
