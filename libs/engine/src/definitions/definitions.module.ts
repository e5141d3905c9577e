import { Module } from '@nestjs/common';
import { DefinitionRegistry } from './definition-registry.service';

@Module({ providers: [DefinitionRegistry], exports: [DefinitionRegistry] })
export class DefinitionsModule {}
