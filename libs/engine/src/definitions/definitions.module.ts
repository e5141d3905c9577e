import { Module } from '@nestjs/common';
import { DefinitionAdminService } from './definition-admin.service';
import { DefinitionRegistry } from './definition-registry.service';
import { DefinitionRepository } from './definition.repository';

@Module({
  providers: [DefinitionRegistry, DefinitionAdminService, DefinitionRepository],
  exports: [DefinitionRegistry, DefinitionAdminService],
})
export class DefinitionsModule {}
