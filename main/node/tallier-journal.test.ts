import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Group } from '../crypto/group';
import { DataDir } from '../store/data-dir';
import { TallierJournal } from './tallier-journal';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-journal-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const group = Group.default();
const [X, Y] = ['aa', 'bb'].map((b) => b.repeat(32)) as [string, string];
const K = 'cc'.repeat(256); // an election key's hex

describe('the tallier journal (tallier-key.json)', () => {
  test('one acceptance per round, one decryption ever; both survive a reopen; the file stays 0600', async () => {
    const dir = path.join(tmp, 'a');
    let { dataDir } = await DataDir.open(dir);
    let journal = await TallierJournal.open(dataDir, group);
    const pk = journal.key.publicKey;
    await journal.recordAcceptance({ electionKey: K, round: 1, final: X });
    await journal.recordAcceptance({ electionKey: K, round: 1, final: X }); // the same again: a no-op
    await assert.rejects(
      journal.recordAcceptance({ electionKey: K, round: 1, final: Y }),
      /never signs another/,
    );
    await journal.recordAcceptance({ electionKey: K, round: 2, final: Y });
    assert.equal(journal.lastRound(K), 2);
    await journal.recordDecryption(Y);
    await journal.recordDecryption(Y);
    await assert.rejects(journal.recordDecryption(X), /never decrypts another/);
    await dataDir.close();

    ({ dataDir } = await DataDir.open(dir));
    journal = await TallierJournal.open(dataDir, group);
    assert.equal(journal.key.publicKey, pk, 'the same key');
    assert.equal(journal.decrypted, Y);
    assert.equal(journal.acceptedIn(K, 1), X);
    assert.equal(journal.acceptedIn(K, 2), Y);
    await assert.rejects(journal.recordDecryption(X), /never decrypts another/);
    await dataDir.close();
    const file = path.join(dir, 'tallier-key.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.throws(() => JSON.stringify(journal), /never serialised/, 'the journal never serialises its key');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).decrypted, Y);
  });

  test('a write that fails promises nothing: the choice is not adopted, so it cannot be acted on', async () => {
    const { dataDir } = await DataDir.open(path.join(tmp, 'b'));
    const journal = await TallierJournal.open(dataDir, group);
    await dataDir.close(); // every save now fails
    await assert.rejects(journal.recordDecryption(X));
    assert.equal(journal.decrypted, undefined);
    await assert.rejects(journal.recordAcceptance({ electionKey: K, round: 1, final: X }));
    assert.equal(journal.acceptedIn(K, 1), undefined);
  });

  test('a key file from before the journal (only the secret) reads as nothing accepted or decrypted', async () => {
    const dir = path.join(tmp, 'c');
    let { dataDir } = await DataDir.open(dir);
    const journal = await TallierJournal.open(dataDir, group);
    const secret = journal.key
      .exportSecret()
      .toString(16)
      .padStart(group.byteWidth * 2, '0');
    await dataDir.save('tallierKey', { secret_key: secret });
    await dataDir.close();
    ({ dataDir } = await DataDir.open(dir));
    const old = await TallierJournal.open(dataDir, group);
    assert.equal(old.key.publicKey, journal.key.publicKey);
    assert.equal(old.decrypted, undefined);
    assert.equal(old.lastRound(K), 0);
    await dataDir.save('tallierKey', {
      secret_key: secret,
      accepted: [{ election_key: K, round: 0, final: X }],
      decrypted: null,
    });
    await assert.rejects(TallierJournal.open(dataDir, group), /accepted\[0\]\.round/);
    await dataDir.close();
  });
});
