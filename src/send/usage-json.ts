import { NUMBER_FIELDS, type UsageFields } from '../rows/map-row.js';

/**
 * The JSON text of a usage update, built once by the transport that sends it: a PUT body
 * (`{"Quantity":1.50}`), or with `id` an Actions object (`{"Id":"8ad0…","Quantity":1.50}`). Fields in
 * their order; a number field is written as the literal map-row.ts checked, so the user's digits reach
 * Zuora exactly as written (`1.50` stays `1.50`, never re-formatted through a JS number).
 */
export function usageJson(fields: UsageFields, id?: string): string {
  // Built by concatenation, not arrays and join: this runs once per row on the hot path.
  let text = id === undefined ? '{' : `{"Id":${JSON.stringify(id)}`;
  let separator = id === undefined ? '' : ',';
  for (const field in fields) {
    const value = fields[field] as string;
    text += `${separator}${JSON.stringify(field)}:${NUMBER_FIELDS.has(field) ? value : JSON.stringify(value)}`;
    separator = ',';
  }
  return `${text}}`;
}
