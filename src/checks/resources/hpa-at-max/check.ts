import { arrayOrEmpty, isRecord, stringOrUndefined, type JsonRecord } from '../../../k8s/guards.js';
import { parseQuantity } from '../../../k8s/quantity.js';
import { defineCheck } from '../../define-check.js';

/** A metric the autoscaler tracks, with its target and current value where both are known. */
interface MetricReading {
  readonly name: string;
  readonly current: number;
  readonly target: number;
  /** How to show the values: a percentage of requests, or a quantity. */
  readonly unit: '%' | '';
  readonly currentText: string;
  readonly targetText: string;
}

function metricKey(type: unknown, name: unknown, container?: unknown): string {
  return `${String(type)}\u0000${String(name)}\u0000${typeof container === 'string' ? container : ''}`;
}

/** The identifying key and the body of an autoscaling/v2 (or v2beta2) metric spec or status. */
function v2Parts(metric: JsonRecord): { key: string; body: JsonRecord } | undefined {
  const type = metric.type;
  const field =
    type === 'Resource'
      ? 'resource'
      : type === 'ContainerResource'
        ? 'containerResource'
        : type === 'Pods'
          ? 'pods'
          : type === 'Object'
            ? 'object'
            : type === 'External'
              ? 'external'
              : undefined;
  if (field === undefined || !isRecord(metric[field])) return undefined;
  const body = metric[field];
  const name = type === 'Resource' || type === 'ContainerResource' ? body.name : isRecord(body.metric) ? body.metric.name : undefined;
  return { key: metricKey(type, name, body.container), body };
}

function reading(name: string, current: unknown, target: unknown, unit: '%' | ''): MetricReading | undefined {
  const c = unit === '%' ? (typeof current === 'number' ? current : undefined) : parseQuantity(current);
  const t = unit === '%' ? (typeof target === 'number' ? target : undefined) : parseQuantity(target);
  if (c === undefined || t === undefined) return undefined;
  return { name, current: c, target: t, unit, currentText: `${String(current)}${unit}`, targetText: `${String(target)}${unit}` };
}

/** Current against target for every metric of the HPA that has both (autoscaling/v1, v2beta1, v2beta2, v2). */
export function metricReadings(object: JsonRecord): MetricReading[] {
  const spec = isRecord(object.spec) ? object.spec : {};
  const status = isRecord(object.status) ? object.status : {};
  const out: MetricReading[] = [];
  if (typeof status.currentCPUUtilizationPercentage === 'number') {
    // autoscaling/v1: one CPU target, 80% when not set.
    const target = typeof spec.targetCPUUtilizationPercentage === 'number' ? spec.targetCPUUtilizationPercentage : 80;
    const r = reading('cpu', status.currentCPUUtilizationPercentage, target, '%');
    if (r !== undefined) out.push(r);
  }
  const current = new Map<string, JsonRecord>();
  for (const m of arrayOrEmpty(status.currentMetrics)) {
    if (!isRecord(m)) continue;
    const parts = v2Parts(m);
    if (parts !== undefined) current.set(parts.key, parts.body);
  }
  for (const m of arrayOrEmpty(spec.metrics)) {
    if (!isRecord(m)) continue;
    const parts = v2Parts(m);
    if (parts === undefined) continue;
    const now = current.get(parts.key);
    if (now === undefined) continue;
    const name =
      stringOrUndefined(parts.body.name) ??
      (isRecord(parts.body.metric) ? stringOrUndefined(parts.body.metric.name) : undefined) ??
      String(m.type);
    const target = isRecord(parts.body.target) ? parts.body.target : undefined;
    const observed = isRecord(now.current) ? now.current : undefined;
    let r: MetricReading | undefined;
    if (target !== undefined && observed !== undefined) {
      // autoscaling/v2 and v2beta2: target.{type, averageUtilization | averageValue | value}.
      if (target.type === 'Utilization') r = reading(name, observed.averageUtilization, target.averageUtilization, '%');
      else if (target.type === 'AverageValue') r = reading(name, observed.averageValue, target.averageValue, '');
      else if (target.type === 'Value') r = reading(name, observed.value, target.value, '');
    } else if (parts.body.targetAverageUtilization !== undefined) {
      // autoscaling/v2beta1.
      r = reading(name, now.currentAverageUtilization, parts.body.targetAverageUtilization, '%');
    } else if (parts.body.targetAverageValue !== undefined) {
      r = reading(name, now.currentAverageValue, parts.body.targetAverageValue, '');
    }
    if (r !== undefined) out.push(r);
  }
  return out;
}

export default defineCheck({
  id: 'resources/hpa-at-max',
  target: 'Object',
  kinds: ['autoscaling/HorizontalPodAutoscaler'],
  meta: {
    title: 'Autoscaler stuck at its maximum while over target',
    area: 'resources',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Resource policies'], mitre: ['T1499', 'T1496'] },
    description:
      'An autoscaler at maxReplicas whose metrics are still above target cannot add capacity: "the replicas are not increasing despite traffic". It is how an overload — or a denial-of-service attack, or a workload busy mining — shows in the autoscaler’s own status.',
    remediation:
      'Find out why load is above target (traffic, a regression, abuse); raise maxReplicas if the load is legitimate and the cluster has room, or scale the workload’s efficiency.',
  },
  messages: {
    stuck:
      'HorizontalPodAutoscaler "{{name}}" runs {{current}} replicas, its maximum of {{max}}, while {{metrics}}; it cannot add capacity.',
    limited:
      'HorizontalPodAutoscaler "{{name}}" runs {{current}} replicas, its maximum of {{max}}, and reports ScalingLimited (TooManyReplicas): it wants more.',
  },
  run({ object }, ctx) {
    const spec = isRecord(object.spec) ? object.spec : {};
    const status = isRecord(object.status) ? object.status : undefined;
    const current = status?.currentReplicas;
    const max = spec.maxReplicas;
    // A manifest carries no status: only an autoscaler read from a cluster can be stuck.
    if (typeof current !== 'number' || typeof max !== 'number') {
      ctx.notApplicable();
      return;
    }
    if (current < max) return;
    const name = object.metadata.name;
    const over = metricReadings(object).filter((r) => r.current > r.target);
    if (over.length > 0) {
      const metrics = over.map((r) => `${r.name} is at ${r.currentText} (target ${r.targetText})`).join(', ');
      ctx.report({ messageId: 'stuck', pointer: '/spec/maxReplicas', data: { name, current, max, metrics } });
      return;
    }
    const limited = arrayOrEmpty(status?.conditions).some(
      (c) => isRecord(c) && c.type === 'ScalingLimited' && c.status === 'True' && c.reason === 'TooManyReplicas',
    );
    if (limited) ctx.report({ messageId: 'limited', pointer: '/spec/maxReplicas', data: { name, current, max } });
  },
});
