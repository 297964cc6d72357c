/**
 * Runtime detection in context: Falco's JSON alerts read from files, stdin or HTTP, tied to the
 * workloads of an Inventory, re-weighed from their posture, and turned into Vigil alerts.
 */
export * from './falco-alert.js';
export * from './read-alerts.js';
export * from './context.js';
export * from './severity.js';
export * from './correlate.js';
export * from './redact.js';
export * from './receiver.js';
export * from './scan.js';
export * from './text.js';
