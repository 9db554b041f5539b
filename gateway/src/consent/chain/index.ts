// The consent module's chain indexer: what the rest of the consent module uses.
export { ChainConsentIndexer, type ChainConsentIndexerOptions, type ConsentSyncResult, type ConsentViewFreshness } from './chain-consent.indexer.js';
export { CONSENT_CURSOR, type EmergencyAccessRow } from './consent-view.writer.js';
export { ConsentLogReader, type ConsentLogBatch } from './consent-log.reader.js';
