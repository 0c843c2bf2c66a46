import { type Model, mongo } from 'mongoose';

/**
 * E11000, or FerretDB v1's SQLite backend, which reports some unique-index violations
 * (findAndModify, bulk inserts) as an internal error carrying SQLite's own message.
 */
export function isDuplicateKey(err: unknown): boolean {
  if (err instanceof mongo.MongoBulkWriteError) {
    const errors: { code?: number; errmsg?: string }[] = [err.writeErrors].flat();
    return errors.length > 0 && errors.every(isDuplicateKeyWrite);
  }
  return (
    err instanceof mongo.MongoServerError &&
    (err.code === 11000 || /UNIQUE constraint failed|duplicate key/.test(err.message))
  );
}

/** One write error of a bulk write: E11000, or FerretDB's SQLite form of it. */
export function isDuplicateKeyWrite(e: { code?: number; errmsg?: string }): boolean {
  return e.code === 11000 || /UNIQUE constraint failed/.test(e.errmsg ?? '');
}

/** insertMany, unordered, where an existing `_id` is the expected, harmless case. */
export async function insertIgnoringDuplicates<T>(model: Model<T>, docs: object[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await model.collection.insertMany(docs, { ordered: false });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}
