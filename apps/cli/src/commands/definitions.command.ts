import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDefinitionFile, WORKFLOWS_DIR } from '@rasoat/definition-catalog';
import { definitionJsonSchema, formatDefinitionError, loadDefinitionYaml, mermaidDiagram } from '@rasoat/workflow-core';
import { readFileSync } from 'node:fs';
import type { CliCommand } from '../cli-command';

const USAGE = 'definitions validate FILE... | definitions diagram FILE | definitions schema [OUT]';

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
        const loaded = loadDefinitionYaml(readFileSync(resolve(rest[0]), 'utf8'), rest[0]);
        if (!loaded.ok) {
          for (const error of loaded.errors) io.stderr.write(`${formatDefinitionError(error)}\n`);
          return 1;
        }
        io.stdout.write(`${mermaidDiagram(loaded.value)}\n`);
        return 0;
      }
      case 'schema': {
        const out = resolve(rest[0] ?? `${WORKFLOWS_DIR}/definition.schema.json`);
        writeFileSync(out, `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`);
        io.stderr.write(`wrote ${out}\n`);
        return 0;
      }
      default:
        io.stderr.write(`unknown sub-command "${sub ?? ''}"\nusage: ${USAGE}\n`);
        return 2;
    }
  },
};
