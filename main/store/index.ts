// main/store: a runner's durable data directory. Generic: it keeps bytes safe (atomic JSON files,
// a crash-safe append-only record log, an exclusive lock) and knows nothing of what blocks mean.
export {
  fsyncDirectory,
  type JsonFile,
  type ReadOptions,
  readJsonFile,
  type WriteOptions,
  writeFileAtomic,
  writeJsonFile,
} from './atomic-file';
export { crc32 } from './crc32';
export { BLOCK_LOG, DATA_FILES, DataDir, type DataFile, LOCK_FILE, type OpenedDataDir } from './data-dir';
export {
  type Decoded,
  decodeRecords,
  encodeRecord,
  MAX_RECORD_BYTES,
  type OpenedLog,
  RecordLog,
  type RecordLogOptions,
} from './record-log';
