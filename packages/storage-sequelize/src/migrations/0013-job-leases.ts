import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/*
 * Job leases: the process running a job holds a lease it renews; a job whose lease ran out was
 * interrupted (a crash, a restart) and another start may take it over and resume it.
 */
export const jobLeases: Migration = {
  name: '0013-job-leases',

  async up({ queryInterface, prefix }) {
    await queryInterface.addColumn(`${prefix}jobs`, 'lease_owner', { type: DataTypes.STRING(128), allowNull: true });
    await queryInterface.addColumn(`${prefix}jobs`, 'lease_until', { type: DataTypes.DATE(3), allowNull: true });
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.removeColumn(`${prefix}jobs`, 'lease_until');
    await queryInterface.removeColumn(`${prefix}jobs`, 'lease_owner');
  },
};
