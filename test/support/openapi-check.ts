import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under Node ESM its default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

type Json = Record<string, unknown>;

/** A response as supertest gives it. */
export interface CheckedResponse {
  status: number;
  body: unknown;
  text?: string;
  headers: Record<string, unknown>;
}

const DOCUMENT_ID = 'https://gatehouse.invalid/api/v2/openapi.json';

/** RFC 6901: `/` and `~` escaped. */
const pointer = (...segments: string[]) => segments.map((s) => s.replace(/~/gu, '~0').replace(/\//gu, '~1')).join('/');

/**
 * Checks real responses against the Management API's OpenAPI 3.1 document: the status must be
 * documented for the operation, the JSON body must validate (ajv, JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1, with formats), a documented empty response must be empty, and every
 * documented header must be present and valid. It remembers which operation/status pairs it saw,
 * so a test can assert every operation was exercised.
 */
export function openApiCheck(document: Json) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  // The document's own keywords (openapi, paths, ...) are not JSON Schema; only its schemas are compiled.
  ajv.addVocabulary(['openapi', 'info', 'servers', 'tags', 'paths', 'components', 'jsonSchemaDialect']);
  ajv.addSchema(document, DOCUMENT_ID);
  const compiled = new Map<string, ValidateFunction>();
  const seen = new Set<string>();

  /** Follows `{ $ref: '#/…' }` links of the document (responses, headers). */
  function resolve(value: unknown): { value: Json; path: string[] } {
    let path: string[] = [];
    let current = value as Json;
    while (typeof current.$ref === 'string') {
      path = current.$ref.replace(/^#\//u, '').split('/').map((s) => s.replace(/~1/gu, '/').replace(/~0/gu, '~'));
      current = path.reduce<Json>((node, key) => node[key] as Json, document);
    }
    return { value: current, path };
  }

  function validatorAt(path: string[]): ValidateFunction {
    const ref = `${DOCUMENT_ID}#/${pointer(...path)}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    return validate;
  }

  return {
    /** The `METHOD path status` triples checked so far. */
    seen,
    /** Asserts that `res` is what the document promises for `method pathTemplate` (e.g. `get`, `/users/{id}`). */
    check(method: string, pathTemplate: string, res: CheckedResponse): void {
      const lower = method.toLowerCase();
      const paths = document.paths as Record<string, Record<string, Json>>;
      const operation = paths[pathTemplate]?.[lower];
      assert.ok(operation, `${method.toUpperCase()} ${pathTemplate} is not in the OpenAPI document`);
      const responses = operation.responses as Record<string, unknown>;
      const label = `${method.toUpperCase()} ${pathTemplate} ${res.status}`;
      assert.ok(responses[String(res.status)], `${label}: status not documented (body ${JSON.stringify(res.body)})`);
      seen.add(label);

      const local = ['paths', pathTemplate, lower, 'responses', String(res.status)];
      const { value: response, path } = resolve(responses[String(res.status)]);
      const base = path.length > 0 ? path : local;

      for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, unknown>)) {
        const raw = res.headers[name.toLowerCase()];
        assert.equal(typeof raw, 'string', `${label}: header ${name} missing`);
        const { value: resolved, path: headerPath } = resolve(header);
        const schemaPath = headerPath.length > 0 ? [...headerPath, 'schema'] : [...base, 'headers', name, 'schema'];
        const schema = resolved.schema as Json;
        const value = schema.type === 'integer' && /^-?\d+$/u.test(raw as string) ? Number(raw) : raw;
        const validate = validatorAt(schemaPath);
        assert.ok(validate(value), `${label}: header ${name}=${String(raw)}: ${ajv.errorsText(validate.errors)}`);
      }

      const content = response.content as Record<string, { schema: unknown }> | undefined;
      if (!content) {
        assert.ok(res.text === undefined || res.text === '', `${label}: documented without a body, got ${JSON.stringify(res.text)}`);
        return;
      }
      const type = String(res.headers['content-type']).split(';')[0]!.trim();
      assert.ok(content[type], `${label}: content-type ${type} is not documented (${Object.keys(content).join(', ')})`);
      // Files (CSV, NDJSON) are checked for their media type only.
      if (type !== 'application/json') return;
      const validate = validatorAt([...base, 'content', 'application/json', 'schema']);
      assert.ok(validate(res.body), `${label}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 2000)}`);
    },
  };
}

export type OpenApiCheck = ReturnType<typeof openApiCheck>;
