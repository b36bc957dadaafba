// The profile JSON Schema (schemas/profile.schema.json), made from the settings table. Written by
// scripts/gen/profile-schema.mjs at build time; test/unit/settings.test.ts fails when the
// committed file and the table drift.

import {GATE_METRICS} from '../model/gate.js'
import {defaultText, type Setting, SETTINGS} from './table.js'

const MAX_TRIALS = 100
const DURATION = '\\d+(\\.\\d+)?\\s*(ns|us|µs|ms|s|m|h)'
/** sleep, spin=DUR or adaptive[=MAX], as parseWait reads them. */
const WAIT_PATTERN = `^\\s*(sleep|spin\\s*=\\s*${DURATION}|adaptive(\\s*=\\s*${DURATION})?)\\s*$`

function settingSchema(row: Setting): Record<string, unknown> {
  const range = {
    ...(row.min === undefined ? {} : row.above ? {exclusiveMinimum: row.min} : {minimum: row.min}),
    ...(row.max === undefined || row.max === Number.MAX_SAFE_INTEGER ? {} : {maximum: row.max}),
  }
  const shape: Record<string, unknown> = (() => {
    switch (row.type) {
      case 'enum':
        return {enum: [...row.values!]}
      case 'int':
        return {type: 'integer', ...range}
      case 'number':
        return {type: 'number', ...range}
      case 'duration':
        return {$ref: '#/$defs/duration'}
      case 'size':
        return {$ref: '#/$defs/size'}
      case 'bool':
        return {type: 'boolean'}
      case 'list':
        return {type: 'array', items: {enum: [...row.values!]}, uniqueItems: true}
      case 'path':
        return {type: 'string'}
      case 'wait':
        return {type: 'string', pattern: WAIT_PATTERN}
      case 'mix':
        return {
          anyOf: [
            {type: 'string'},
            {type: 'object', propertyNames: {enum: [...row.values!]}, additionalProperties: {type: 'integer', minimum: 0}},
          ],
        }
    }
  })()
  const shown = defaultText(row)
  return {...shape, description: row.help + (shown === undefined ? '' : ` [default: ${shown}]`)}
}

function profileSchema(): Record<string, unknown> {
  const minEffect = {
    type: 'object',
    additionalProperties: false,
    required: ['minEffect'],
    properties: {minEffect: {type: 'number', minimum: 0, maximum: 10}},
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://iouring-bench.invalid/schemas/profile.schema.json',
    title: 'iouring-bench profile',
    description:
      'A named set of workloads run by `iouring-bench run`. Durations take units (500ms, 2s); sizes take units (4k, 1g). Generated from src/settings/table.ts by scripts/gen/profile-schema.mjs: edit the table, not this file.',
    type: 'object',
    additionalProperties: false,
    required: ['workloads'],
    properties: {
      description: {type: 'string'},
      defaults: {$ref: '#/$defs/settings', description: 'Applied to every workload unless it sets the field itself.'},
      workloads: {
        type: 'array',
        minItems: 1,
        items: {
          allOf: [{$ref: '#/$defs/settings'}],
          type: 'object',
          required: ['name', 'op'],
          properties: {
            name: {
              type: 'string',
              maxLength: 64,
              pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
              description: 'Tells the workload apart in every report; it goes into file names (FILE.<name>.<system>.hgrm), so it is short.',
            },
          },
          unevaluatedProperties: false,
        },
      },
      trials: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TRIALS,
        description:
          'Runs of each workload, interleaved across workloads (A B A B ...). A baseline or a gate needs at least 4 at alpha 0.05 (the fewest with which the exact test can reach p < alpha); --save-baseline and --baseline refuse fewer before measuring.',
      },
      gate: {
        type: 'object',
        additionalProperties: false,
        description: 'How `run --baseline` decides a regression.',
        properties: {
          alpha: {
            type: 'number',
            exclusiveMinimum: 0,
            maximum: 0.5,
            description: 'Significance level of the Mann-Whitney U test on trial values (default 0.05).',
          },
          confidence: {
            type: 'number',
            exclusiveMinimum: 0.5,
            exclusiveMaximum: 1,
            description: 'Confidence of the bootstrap interval of the ratio (default 0.95).',
          },
          metrics: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            description: 'Metrics the gate judges, each with the smallest relative change that counts (0.1 = 10%).',
            properties: Object.fromEntries(GATE_METRICS.map((metric) => [metric, minEffect])),
          },
        },
      },
    },
    $defs: {
      duration: {type: 'string', pattern: `^\\s*${DURATION}\\s*$`},
      size: {
        description: 'bytes, or a number with k, m, g or t (powers of 1024), e.g. 4k, 1g',
        anyOf: [
          {type: 'integer', minimum: 0},
          {type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*([kmgtKMGT]([iI]?[bB])?|[bB])?\\s*$'},
        ],
      },
      settings: {
        type: 'object',
        properties: Object.fromEntries(SETTINGS.map((row) => [row.key, settingSchema(row)])),
      },
    },
  }
}

/** The schema file's text, as the generator writes it. */
export function profileSchemaText(): string {
  return JSON.stringify(profileSchema(), null, 2) + '\n'
}
