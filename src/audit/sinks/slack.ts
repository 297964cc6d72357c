import type { Alert } from '../../core/alert.js';
import { WebhookSink, type WebhookOptions } from './webhook.js';

const EMOJI: Readonly<Record<string, string>> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/** Slack escaping for mrkdwn text (&, <, >). */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The Slack (and Mattermost, Rocket.Chat) incoming-webhook payload for a batch of alerts. */
export function slackPayload(alerts: readonly Alert[]): unknown {
  const lines = alerts.map((a) => {
    const mitre = a.mitre === undefined || a.mitre.length === 0 ? '' : ` · MITRE ${a.mitre.join(', ')}`;
    return `${EMOJI[a.severity] ?? ''} *${escape(a.title)}* (${a.severity}, \`${a.rule}\`${a.cluster === undefined ? '' : `, ${escape(a.cluster)}`})\n${escape(a.output)}${mitre}`;
  });
  return {
    text: alerts.length === 1 ? lines[0] : `${alerts.length} Vigil alerts`,
    blocks: lines.slice(0, 45).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 2900) } })),
  };
}

/** Posts alerts to a Slack-compatible incoming webhook (at most 20 per message, Slack's block limit kept). */
export function slackSink(url: string, options: WebhookOptions = {}): WebhookSink {
  return new WebhookSink(url, slackPayload, { batchSize: 20, ...options }, 'slack');
}
