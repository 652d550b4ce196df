import { demoData } from '../src/demo/fixtures';
import { seedDemo } from '../src/demo/seed-demo';
import { findUserByUsername } from '../src/users/users.repository';
import { ensureAdmin } from '../src/users/users.service';
import { openCliContext, runTask } from './cli-context';
import { progressPrinter } from './progress';

runTask(async () => {
  const { config, db } = await openCliContext();
  const created = await ensureAdmin(db, config.adminPassword);
  if (created.generatedPassword) process.stdout.write(`Created user "admin" with password: ${created.generatedPassword}\n`);
  const admin = await findUserByUsername(db, 'admin');
  if (!admin || admin.role !== 'admin') throw new Error('The demo data is loaded as the "admin" user, which is missing.');
  const progress = progressPrinter('seed');
  const summary = await seedDemo(
    db,
    { id: admin.id, username: admin.username, displayName: admin.display_name, role: 'admin', unitId: null },
    (done, total) => progress.update(done, total),
  );
  progress.finish();
  process.stdout.write(
    `Demo data: ${summary.templates} template, ${summary.units} units, ${summary.users} users, ${summary.inspections} inspection created ` +
      `(password for demo users: ${demoData().password}).\n`,
  );
  await db.destroy();
});
