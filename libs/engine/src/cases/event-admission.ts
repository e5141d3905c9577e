import type { Actor, SubmitEventBody } from '@rasoat/contracts';
import { payloadErrors, type CompiledDefinition, type EventSpec } from '@rasoat/workflow-core';
import { InvalidPayloadException, RoleNotAllowedException, UnknownEventTypeException } from './cases.exception';

/** An event as its case's definition admits it: its parsed payload, and who sends it. */
export interface AdmittedEvent {
  type: string;
  data: Record<string, unknown>;
  /** The sender, with `onBehalfOf` when its role enters the event for another (`proxies`). */
  actor: Actor;
}

/**
 * What a case's pinned definition says of an event, in this order: its type exists (else 400
 * naming `type`), the actor's role may send it or enter it on behalf of a role that may (else 403),
 * its payload fits the event's declared fields (else 400 naming each `data.<field>`). Throws the
 * first refusal; pure.
 */
export function admitEvent(
  compiled: CompiledDefinition,
  body: Pick<SubmitEventBody, 'type' | 'data'>,
  actor: Actor,
): AdmittedEvent {
  const spec = compiled.definition.events[body.type];
  if (!spec) throw new UnknownEventTypeException(body.type, Object.keys(compiled.definition.events));
  const onBehalfOf = standsInFor(body.type, spec, actor);
  const payload = compiled.payloadSchemas[body.type].safeParse(body.data);
  if (!payload.success) throw new InvalidPayloadException(body.type, payloadErrors(payload.error));
  return { type: body.type, data: payload.data, actor: onBehalfOf ? { ...actor, onBehalfOf } : actor };
}

/**
 * The role `actor` enters an event for: none when the event lists its role, the owner when the
 * definition lets its role enter the event on that owner's behalf (`proxies`); refused otherwise.
 */
function standsInFor(type: string, spec: EventSpec, actor: Actor): string | undefined {
  if (spec.roles.includes(actor.role)) return undefined;
  const proxy = spec.proxies?.find((p) => p.role === actor.role);
  if (!proxy)
    throw new RoleNotAllowedException(type, actor.role, [
      ...spec.roles,
      ...(spec.proxies ?? []).map((p) => `${p.role} (thay / for ${p.onBehalfOf})`),
    ]);
  return proxy.onBehalfOf;
}
