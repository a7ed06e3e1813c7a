import fc from 'fast-check';

/** The JSON Schema subset our OpenAPI document and `z.toJSONSchema` produce. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  default?: unknown;
}

/** Text of every kind people and attackers type: Persian, digits of three scripts, emoji, controls. */
const wildText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    'سلام',
    '۰۹۱۲۳۴۵۶۷۸۹',
    '٠١٢',
    '\u202eevil',
    '\u200c',
    '',
    ' ',
    '\u0000',
    '{{x}}',
    '<script>',
    '🙂',
  ),
);

/**
 * Values that fit a schema (`valid`), or come close to it and miss (`nearValid`: a field dropped,
 * a wrong type, an extra field, a string too long): what a fuzzer should throw at an API.
 */
export function valid(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.anything({ maxDepth: 1 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s) => valid(s, depth + 1)));
  if (schema.allOf && schema.allOf.length > 0) return valid(schema.allOf[0], depth + 1);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...schema, type }, depth + 1)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1000;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 100_000;
      return fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) });
    }
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 60, 200));
      return fc.string({ unit: 'grapheme', minLength, maxLength });
    }
    case 'array':
      return fc.array(valid(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 6)),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = valid(property, depth + 1);
      return fc.record(record, {
        requiredKeys: Object.keys(properties).filter((name) => required.has(name)),
      });
    }
    default:
      return fc.anything({ maxDepth: 1 });
  }
}

/** `maxStretch`: the longest string put in (a socket frame over its limit closes the connection). */
export function nearValid(schema: JsonSchema | undefined, maxStretch = 70_000): fc.Arbitrary<unknown> {
  const base = valid(schema);
  return fc.oneof(
    base,
    base.map((value) => dropOne(value)),
    fc
      .tuple(base, wildText, fc.anything({ maxDepth: 1 }))
      .map(([value, key, junk]) => replaceOne(value, key, junk)),
    fc.tuple(base, wildText).map(([value, text]) => withExtra(value, text)),
    fc.tuple(base, fc.integer({ min: 4_001, max: maxStretch })).map(([value, n]) => stretchOne(value, n)),
    wildText,
    fc.anything({ maxDepth: 2 }),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function dropOne(value: unknown): unknown {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  const { [keys[0]!]: _dropped, ...rest } = value;
  return rest;
}
function replaceOne(value: unknown, _key: string, junk: unknown): unknown {
  if (!isObject(value)) return junk;
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  return { ...value, [keys[keys.length - 1]!]: junk };
}
function withExtra(value: unknown, text: string): unknown {
  return isObject(value) ? { ...value, [`x${text.length}`]: text, __proto__: { polluted: true } } : value;
}
function stretchOne(value: unknown, length: number): unknown {
  if (!isObject(value)) return 'ب'.repeat(length);
  const key = Object.keys(value).find((k) => typeof value[k] === 'string');
  return key ? { ...value, [key]: 'ب'.repeat(length) } : value;
}
