import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readDefinitionFile, WORKFLOWS_DIR, loadCatalog } from './definition-catalog';
import { readGoldenFile, runGoldenCases } from './golden-cases';

function goldenFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return goldenFiles(full);
    return /\.golden\.ya?ml$/.test(name) ? [full] : [];
  });
}

// One table-driven spec for every shipped definition: adding a YAML and its golden file needs no code.
describe('shipped definitions', () => {
  it('all validate and compile, with unique keys', () => {
    expect(() => loadCatalog()).not.toThrow();
  });

  const files = goldenFiles(WORKFLOWS_DIR);
  it('every definition has golden cases', () => {
    const withGolden = new Set(files.map((f) => readGoldenFile(f).definitionFile));
    const { definitionFiles } = jest.requireActual('./definition-catalog') as typeof import('./definition-catalog');
    const missing = definitionFiles().filter((f) => !withGolden.has(f));
    expect(missing).toEqual([]);
  });

  describe.each(files.map((f) => [relative(WORKFLOWS_DIR, f), f]))('%s', (_name, file) => {
    const golden = readGoldenFile(file);
    const { entry, errors } = readDefinitionFile(golden.definitionFile);
    it('definition is valid', () => expect(errors).toEqual([]));
    it.each(golden.cases.map((c) => [c.name]))('%s', (caseName) => {
      const failures = runGoldenCases(entry!.compiled, {
        ...golden,
        cases: golden.cases.filter((c) => c.name === caseName),
      });
      expect(failures).toEqual([]);
    });
  });
});
