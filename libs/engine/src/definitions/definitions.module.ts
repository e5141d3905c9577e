import { Module } from '@nestjs/common';
import { DefinitionAdminService } from './definition-admin.service';
import { DefinitionRegistry } from './definition-registry.service';

@Module({ providers: [DefinitionRegistry, DefinitionAdminService], exports: [DefinitionRegistry, DefinitionAdminService] })
export class DefinitionsModule {}
