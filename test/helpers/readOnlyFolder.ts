import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What made a folder read-only, and how to undo it. */
export interface ReadOnlyFolder {
  readonly how: 'chmod' | 'chattr' | 'bind-mount';
  restore(): Promise<void>;
}

/**
 * Makes `dir` (and everything in it) refuse writes for real, root included: a real fault, not a
 * mock. Not root: permission bits. Root ignores those, so: the immutable attribute
 * (`chattr -R +i`, ext4/xfs/btrfs), or else a read-only bind mount of the folder on itself.
 * Each way is checked with a probe write; throws when none works here.
 */
export async function makeReadOnly(dir: string): Promise<ReadOnlyFolder> {
  if (process.getuid?.() !== 0) {
    execFileSync('chmod', ['-R', 'a-w', dir]);
    const restore = async () => void execFileSync('chmod', ['-R', 'u+w', dir]);
    if (await refusesWrites(dir)) return { how: 'chmod', restore };
    await restore();
  }
  const ways: { how: ReadOnlyFolder['how']; apply: string[][]; undo: string[][] }[] = [
    { how: 'chattr', apply: [['chattr', '-R', '+i', dir]], undo: [['chattr', '-R', '-i', dir]] },
    {
      how: 'bind-mount',
      apply: [
        ['mount', '--bind', dir, dir],
        ['mount', '-o', 'remount,ro,bind', dir],
      ],
      undo: [['umount', dir]],
    },
  ];
  const tried: string[] = [];
  for (const way of ways) {
    const restore = async () => {
      for (const [command, ...args] of way.undo) run(command, args);
    };
    try {
      for (const [command, ...args] of way.apply) execFileSync(command, args, { stdio: 'pipe' });
    } catch (error) {
      tried.push(`${way.how}: ${(error as Error).message.split('\n')[0]}`);
      await restore();
      continue;
    }
    if (await refusesWrites(dir)) return { how: way.how, restore };
    tried.push(`${way.how}: writes still succeed`);
    await restore();
  }
  throw new Error(`cannot make ${dir} read-only here (${tried.join('; ')})`);
}

async function refusesWrites(dir: string): Promise<boolean> {
  const probe = join(dir, `.probe-${process.pid}`);
  try {
    await writeFile(probe, 'x');
  } catch {
    return true;
  }
  await rm(probe, { force: true });
  return false;
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'pipe' });
  } catch {
    // Undoing what was not (fully) applied.
  }
}
