// Test support shared by every project's specs. Not a pack: production code never imports it.
export { describeEachDatabase, openTestDatabase, testDatabaseKinds, testPostgresUrl } from './test-database';
export type { TestDatabase, TestDatabaseKind } from './test-database';
export { kilnEntities, kilnMigrations, openKilnTestDatabase } from './kiln-test-database';
export { comfyUiFixturesDir, workflowCorpusDir } from './fixtures';
export { startContractServer, startTestEmulator } from './emulator';
export type { EmulatorOptions, RunningEmulator } from './emulator';
export { databaseUrlWithPlantedPasswords, filesUnder, PLANTED, PLANTED_BASIC, PLANTED_SECRETS, rowsOfSchema, secretsFound, withPlantedCredentials } from './secret-leaks';
export type { Output } from './secret-leaks';
