// The tape device layer: st-driver interface, virtual tape library, real st drive and mtx changer.

export * from './tape-error.js';
export * from './tape-status.js';
export * from './tape-device.js';
export * from './changer-status.js';
export * from './barcode.js';
export { Cartridge, createCartridge, tapPathOf, DEFAULT_CAPACITY, type CartridgeSpec } from './cartridge.js';
export { type Sidecar, sidecarPathOf, readSidecar } from './sidecar.js';
export { VirtualDrive, type VirtualDriveOptions } from './virtual-drive.js';
export { VirtualLibrary, type LibraryState, type CreateLibraryOptions } from './library.js';
export { VirtualChanger } from './virtual-changer.js';
export { StDrive, type StDriveOptions } from './st-drive.js';
export { MtxChanger } from './mtx-changer.js';
export { dumpCartridge, formatDumpEntry, catTapeFile, DUMP_HEADER, BP_HEADER_MAGIC, type DumpEntry } from './tap-tools.js';
export { encodeMediaHeader, decodeMediaHeader, type MediaHeader } from './media-header.js';
export { encodeBackupHeader, encodeEmptyHeader, decodeHeader, BH_FLAG_CONTINUED, type BackupHeader } from './backup-header.js';
export { mountForWrite, positionForAppend, checkMediaHeader, TapeImageWriter, MediaFullError, isMediaFull, MEDIA_TYPE_TAPE, FRAGMENT_FLAG_CONTINUED, FRAGMENT_FLAG_IRREGULAR, type TapeWriterPlace, type LabelOptions } from './tape-writer.js';
export { TapeImageReader, type MountForRead } from './tape-reader.js';
