import { maskPersonalFields, type Definition } from '@rasoat/workflow-core';

/** What a history row carries that may hold event data: an event's payload, or a correction's old and new value. */
interface HistoryLike {
  kind: string;
  eventType: string | null;
  details: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The case view for a reader who may not see personal data (`seesPersonalData` false: anyone
 * outside the village's and commune's officials): the fields the definition marks `personal`
 * read MASKED_TEXT in the case's data, in each history entry's payload and in a correction's old
 * and new values. Identity for a reader who may see them.
 */
export function caseViewMask(definition: Definition, personal: boolean) {
  return {
    data(data: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
      return personal
        ? data
        : Object.fromEntries(
            Object.entries(data).map(([type, payload]) => [type, maskPersonalFields(definition, type, payload)]),
          );
    },
    history<T extends HistoryLike>(entry: T): T {
      if (personal) return entry;
      const { details } = entry;
      if (entry.kind === 'corrected' && typeof details.event === 'string' && typeof details.field === 'string') {
        const { event, field } = details;
        const shown = (value: unknown) => maskPersonalFields(definition, event, { [field]: value })[field];
        return { ...entry, details: { ...details, from: shown(details.from), to: shown(details.to) } };
      }
      if (entry.eventType !== null && isRecord(details.data))
        return {
          ...entry,
          details: { ...details, data: maskPersonalFields(definition, entry.eventType, details.data) },
        };
      return entry;
    },
  };
}
