import { DataSource, type DataSourceOptions } from 'typeorm';
import { preparingPg } from './prepared-statements';

/**
 * TypeORM takes a few hundred milliseconds to load; open-database imports this module only when it
 * opens a database, so importing the package (to start the embedded database early) stays cheap.
 * Both kinds of database speak the wire protocol through `pg`, with statements prepared once per connection.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({ ...options, driver: preparingPg() } as DataSourceOptions);
}
