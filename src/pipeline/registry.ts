import type { ComponentDefinition, ComponentKind, OperatorDefinition, SinkDefinition, SourceDefinition } from './component';

interface DefinitionOfKind {
  source: SourceDefinition;
  operator: OperatorDefinition;
  sink: SinkDefinition;
}

/** Maps the `type`s of pipeline files to component factories. No global instance: see `createDefaultRegistry`. */
export class ComponentRegistry {
  private readonly definitions = new Map<string, ComponentDefinition>();

  register(definition: ComponentDefinition): this {
    const key = `${definition.kind}:${definition.type}`;
    if (this.definitions.has(key)) throw new Error(`${definition.kind} type "${definition.type}" is already registered`);
    this.definitions.set(key, definition);
    return this;
  }

  get<K extends ComponentKind>(kind: K, type: string): DefinitionOfKind[K] | undefined {
    return this.definitions.get(`${kind}:${type}`) as DefinitionOfKind[K] | undefined;
  }

  list<K extends ComponentKind>(kind: K): DefinitionOfKind[K][] {
    return [...this.definitions.values()].filter((definition) => definition.kind === kind) as DefinitionOfKind[K][];
  }

  types(kind: ComponentKind): string[] {
    return this.list(kind).map((definition) => definition.type);
  }
}
