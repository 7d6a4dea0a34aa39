import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * TypeORM takes a few hundred milliseconds to load; open-database imports this module only when it
 * opens a database, so importing the package (to start the embedded database early) stays cheap.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource(options);
}
