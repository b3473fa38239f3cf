import { fileURLToPath } from 'node:url';

/** The component schemas the stand-in's answers are checked against (and their references). */
export const usedSchemas = [
  'private-user',
  'simple-user',
  'full-repository',
  'repository',
  'git-ref',
  'rate-limit-overview',
  'basic-error',
  'validation-error',
] as const;

export type UsedSchema = (typeof usedSchemas)[number];

export const schemaFixture = fileURLToPath(new URL('../fixtures/github-openapi-schemas.json', import.meta.url));
