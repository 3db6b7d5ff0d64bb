import type { Model, ModelStatic } from 'sequelize';

/**
 * A model over one table whose attributes are exactly the row's columns. Models stay inside the
 * adapter: stores turn their rows into domain objects with the mappers before returning.
 */
export type RowModel<Row extends object> = ModelStatic<Model<Row, Row>>;

/** The plain row of a model instance. */
export function rowOf<Row extends object>(instance: Model<Row, Row>): Row {
  return instance.get({ plain: true }) as Row;
}

/**
 * Options every model sets itself instead of inheriting the instance's `define` defaults: a
 * Sequelize instance passed in by the host may default to timestamps, `underscored` or
 * `paranoid`, which would add columns the schema does not have.
 */
export function modelOptions(tableName: string) {
  return { tableName, freezeTableName: true, timestamps: false, underscored: false, paranoid: false } as const;
}
