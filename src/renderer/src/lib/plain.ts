/**
 * A deep copy of plain JSON data. The form's config lives in Pinia, so what the views hold is a
 * reactive proxy, which structuredClone refuses (DataCloneError); a JSON round trip copies what
 * the config is (JSON) and drops the proxy.
 */
export function plainCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
