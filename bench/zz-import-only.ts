import { benchImport, importBenchTable } from './import.js';
process.setSourceMapsEnabled(false);
for (const line of importBenchTable(await benchImport())) console.log(line);
