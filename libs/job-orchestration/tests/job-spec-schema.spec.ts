import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildJobSpecJsonSchema, JOB_SPEC_SCHEMA_PATH } from '../src/spec/job-spec-json-schema';

// Regenerate after changing the spec classes: KILN_UPDATE_SCHEMA=1 npx jest -c libs/job-orchestration/jest.config.cjs job-spec-schema
const schemaFile = path.join(__dirname, '..', JOB_SPEC_SCHEMA_PATH);

describe('published job spec JSON Schema', () => {
  const generated = `${JSON.stringify(buildJobSpecJsonSchema(), null, 2)}\n`;

  it('matches the schema generated from the spec classes (fails when stale)', () => {
    if (process.env['KILN_UPDATE_SCHEMA'] === '1') fs.writeFileSync(schemaFile, generated);

    expect(fs.readFileSync(schemaFile, 'utf8')).toBe(generated);
  });

  it('describes the documented keys, their limits and the unknown-key ban', () => {
    const schema = JSON.parse(generated);
    const params = schema.definitions.GenerationParamsSpec;

    expect(schema.required).toEqual(['output', 'version']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.workflows.additionalProperties).toEqual({ $ref: '#/definitions/WorkflowEntrySpec' });
    expect(schema.properties.items.items).toEqual({ $ref: '#/definitions/ItemSpec' });
    expect(params.properties.width).toMatchObject({ type: 'integer', minimum: 16, maximum: 16384, multipleOf: 8 });
    expect(params.properties.sampler.enum).toContain('dpmpp_2m');
    expect(params.properties.seed.oneOf).toEqual([{ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, { const: 'random' }, { const: 'workflow' }]);
    expect(schema.definitions.ItemSpec.required).toEqual(['name']);
    expect(Object.keys(schema.definitions.ItemSpec.properties)).toEqual(expect.arrayContaining(['count', 'prompt', 'negative_prompt', 'timeout']));
    expect(schema.definitions.StepSpec.required).toEqual(['count', 'name']);
  });
});
