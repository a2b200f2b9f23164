export * from './types';
export { StorageError, toStorageError } from './errors';
export { writeFileAtomic, writeJsonAtomic } from './atomic';
export { appendJsonLine, readJsonLines, repairJsonl } from './jsonl';
export { defaultHome, APP_NAME } from './paths';
export { RunStore, makeRunId, epochCheckpointName, resolveResumes, type BrokenRun, type LatestPointer } from './run-store';
export { RunLock, RunBusyError, readLiveLock, type LockInfo } from './run-lock';
export { readCheckpointDir, writeCheckpointDir, writeModelDir, type CheckpointFile, type TensorEntry } from './checkpoint';
