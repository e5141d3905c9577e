import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDefinitionFile, WORKFLOWS_DIR } from '@rasoat/definition-catalog';
import {
  BUILTIN_GUARDS,
  definitionJsonSchema,
  EXPRESSION_HELP,
  formatDefinitionError,
  mermaidDiagram,
  overlayJsonSchema,
} from '@rasoat/workflow-core';
import type { CliCommand } from '../cli-command';

const USAGE = 'definitions validate FILE... | definitions diagram FILE | definitions guards | definitions schema [DIR]';

/** Admin tools for definition files: validate before publishing, draw, regenerate the editor schema. */
export const definitionsCommand: CliCommand = {
  name: 'definitions',
  summary: 'validate definition files, print a Mermaid diagram, write the JSON Schema for editors',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'validate': {
        if (rest.length === 0) {
          io.stderr.write(`usage: ${USAGE}\n`);
          return 2;
        }
        let bad = 0;
        for (const file of rest) {
          let result;
          try {
            result = readDefinitionFile(resolve(file));
          } catch (e) {
            io.stdout.write(`${file}:0:0 $ cannot read: ${(e as Error).message}\n`);
            bad++;
            continue;
          }
          for (const error of result.errors) io.stdout.write(`${formatDefinitionError(error)}\n`);
          if (result.errors.length > 0) bad++;
        }
        if (bad === 0) io.stderr.write(`${rest.length} definition file(s) valid\n`);
        return bad === 0 ? 0 : 1;
      }
      case 'diagram': {
        if (rest.length !== 1) {
          io.stderr.write(`usage: ${USAGE}\n`);
          return 2;
        }
        let result;
        try {
          result = readDefinitionFile(resolve(rest[0]));
        } catch (e) {
          io.stderr.write(`${rest[0]}:0:0 $ cannot read: ${(e as Error).message}\n`);
          return 1;
        }
        if (!result.entry) {
          for (const error of result.errors) io.stderr.write(`${formatDefinitionError(error)}\n`);
          return 1;
        }
        io.stdout.write(`${mermaidDiagram(result.entry.definition)}\n`);
        return 0;
      }
      case 'guards': {
        for (const [name, guard] of Object.entries(BUILTIN_GUARDS)) {
          const params = Object.keys((guard.params as unknown as { shape?: Record<string, unknown> }).shape ?? {}).join(
            ', ',
          );
          io.stdout.write(`${name}(${params})\n  ${guard.description.vi}\n  ${guard.description.en}\n`);
        }
        io.stdout.write(`{ expr: "..." }\n  ${EXPRESSION_HELP}\n`);
        return 0;
      }
      case 'schema': {
        const dir = resolve(rest[0] ?? WORKFLOWS_DIR);
        for (const [name, schema] of [
          ['definition.schema.json', definitionJsonSchema()],
          ['overlay.schema.json', overlayJsonSchema()],
        ] as const) {
          writeFileSync(`${dir}/${name}`, `${JSON.stringify(schema, null, 2)}\n`);
          io.stderr.write(`wrote ${dir}/${name}\n`);
        }
        return 0;
      }
      default:
        io.stderr.write(`unknown sub-command "${sub ?? ''}"\nusage: ${USAGE}\n`);
        return 2;
    }
  },
};
