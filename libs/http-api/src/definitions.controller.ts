import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DefinitionRegistry } from '@rasoat/engine';
import { mermaidDiagram } from '@rasoat/workflow-core';

@ApiTags('definitions')
@ApiBearerAuth()
@Controller('api/definitions')
export class DefinitionsController {
  constructor(private readonly registry: DefinitionRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Các phiên bản quy trình đã công bố / published definition versions' })
  async list() {
    return (await this.registry.list()).map(({ body: _body, ...meta }) => meta);
  }

  @Get(':key')
  @ApiOperation({ summary: 'Một phiên bản quy trình và sơ đồ Mermaid / one version with its diagram' })
  async show(@Param('key') key: string) {
    const compiled = await this.registry.get(key);
    return { key, definition: compiled.definition, diagram: mermaidDiagram(compiled.definition) };
  }
}
